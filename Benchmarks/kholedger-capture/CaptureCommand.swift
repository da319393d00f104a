import Foundation
import KHOSyntheticCapture

/// `kholedger-capture`: writes a ``SyntheticCapture`` (ELF core and root
/// FDT) and prints the `kholedger import` command that reads it.
///
///     swift run -c release kholedger-capture DIR [--memory-gib N] [--preserved-gib N]
@main
struct CaptureCommand {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let directory = arguments.first, !directory.hasPrefix("--") else {
            print("usage: kholedger-capture DIR [--memory-gib N] [--preserved-gib N]")
            exit(2)
        }
        func gib(_ option: String, _ fallback: UInt64) -> UInt64 {
            guard let index = arguments.firstIndex(of: option), index + 1 < arguments.count, let value = UInt64(arguments[index + 1]) else {
                return fallback
            }
            return value << 30
        }
        guard let layout = SyntheticLayout(memory: gib("--memory-gib", 4 << 30), preserved: gib("--preserved-gib", 1 << 30)) else {
            print("error: the preserved memory must be at least 8 MiB and at most a quarter of memory")
            exit(2)
        }
        let capture = try SyntheticCapture(layout: layout, directory: directory)
        print("wrote \(capture.elfPath) (\(layout.memory >> 30) GiB of RAM, \(layout.preserved >> 20) MiB preserved) and \(capture.fdtPath)")
        print((["kholedger"] + capture.importArguments).joined(separator: " "))
    }
}
