import ArgumentParser
import Foundation
import KHOABI
import KHOLedger
import KHOReplay

/// `kholedger compat`: would a kernel release take this handover?
struct CompatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compat",
        abstract: "Tell whether a kernel release would take a handover, before the kexec.",
        discussion: """
            Checks a handover the way the target release's own code would: kho_populate \
            compares the root `compatible` list with the release's string (no entry \
            matches: the kernel boots without the handover and restores nothing; \
            kho-v1 does not name its bitmap size, so a simulated 6.16/6.17 handover \
            (512-byte bitmaps) is refused by 6.18 – 7.0 and the other way round), \
            then each subtree the kernel reads itself — kexec-metadata (7.1 on), LUO \
            (luo-v1 FDT 6.19 – 7.1, luo-v5 7.2 on: a mismatch fails LUO at boot), the \
            test module's kho_test — is checked as its reader checks it; other \
            subtrees are listed as their consumers' business. Each line says \
            accepted, ignored or refused and why, naming the kernel function.

            The handover is a ledger's as of --at (default: its last operation), or a \
            capture (--fdt and --image). Exit status: 0 when the release refuses \
            nothing, 1 when it refuses something, 2 when the handover cannot be read. \
            --format json prints {"target", "accepted", "findings": [{"part", \
            "verdict", "reason"}]}.

            Examples:
              kholedger compat --to 7.1 --at gen:0
              kholedger compat --to 7.1 --fdt kho.dtb --image memory.elf --format json
            """
    )

    @Option(name: .long, help: ArgumentHelp("The kernel release to kexec into: 6.16 … 7.4.", valueName: "release"))
    var to: String

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var point: PointOption

    @Option(name: .long, help: ArgumentHelp("A captured root FDT (with --image) instead of a ledger.", valueName: "path"))
    var fdt: String?

    @Option(name: .long, help: ArgumentHelp("The capture's memory image: an ELF core, or a raw image with --base.", valueName: "path"))
    var image: String?

    @OptionGroup var imageOptions: ImageOptions

    @OptionGroup var tracker: TrackerOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        _ = try KernelRelease.argument(to)
        if (fdt == nil) != (image == nil) { throw ValidationError("--fdt and --image go together: a capture is both") }
        if fdt != nil, point.at != nil { throw ValidationError("--at reads a ledger; a capture (--fdt, --image) is one point already") }
    }

    func run() throws {
        let target = KernelRelease(name: to)!
        let result: HandoverCompatibility
        do {
            if let fdt, let image {
                let (compatible, subtrees) = try capture(fdt: fdt, image: image)
                result = HandoverCompatibility(target: target, compatible: compatible, subtrees: subtrees)
            } else {
                let ledger = try ledger.openForReading()
                result = try HandoverCompatibility(target: target, ledger: ledger,
                                                   seq: try point.resolve(in: ledger, default: .lastOperation).seq)
            }
        } catch {
            printError(String(describing: error))
            throw ExitCode(2)
        }
        switch format {
        case .text:
            var table = TextTable(header: ["PART", "VERDICT", "REASON"])
            table.rows = result.findings.map { [$0.part, $0.verdict.rawValue, $0.reason] }
            print("Linux \(target) \(result.isAccepted ? "takes" : "does not take") this handover\n" + table.rendered)
        case .json:
            print(try JSONOutput.string(CompatDocument(target: target.rawValue, accepted: result.isAccepted, findings: result.findings)))
        }
        if !result.isAccepted { throw ExitCode(1) }
    }

    /// The handover of a capture: its root `compatible` and its subtrees' blobs.
    private func capture(fdt path: String, image: String) throws -> ([UInt8], [HandoverCompatibility.Subtree]) {
        let bytes = try tracker.fdt(at: path)
        let read = try imageOptions.reader(image: image)
        let walk = try tracker.walk(fdt: path, geometry: imageOptions.geometry(), read: read)
        let compatible: [UInt8]
        do {
            compatible = try FlattenedDeviceTree(bytes: bytes).property(named: "compatible", of: .root) ?? []
        } catch {
            throw InputError("--fdt \(path): \(error)")
        }
        return (compatible, walk.subtrees.map { subtree in
            HandoverCompatibility.Subtree(name: subtree.name, blob: subtree.size.flatMap { try? read(subtree.phys, Int($0)) })
        })
    }
}

/// The JSON shape of `compat`.
private struct CompatDocument: Encodable {
    var target: String
    var accepted: Bool
    var findings: [HandoverCompatibility.Finding]
}
