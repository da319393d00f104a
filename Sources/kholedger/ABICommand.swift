import ArgumentParser
import Foundation
import KHOABI

/// `kholedger abi`: prints the KHO layout constants for one page size, or
/// what one kernel release does.
struct ABICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abi",
        abstract: "Print the KHO layout constants for a page size, or a kernel release's KHO behaviour.",
        discussion: """
            Every KHO structure is a function of PAGE_SIZE. This prints the derived \
            constants: entries per vmalloc chunk page, the radix tracker's key and \
            level layout (with the fixed and the original, broken-at-16-KiB depth \
            formula), the kho-v1 bitmap sizes and the typical MAX_PAGE_ORDER.

            With --kernel it prints what that release does instead, each row with \
            the kernel function it comes from: root compatible and tracker format, \
            restore checks, the NUMA cut, kexec-metadata, subtree-add failures, \
            scratch or bootmem, extended scratch, LUO and test_kho layouts. \
            Releases: \(KernelRelease.allCases.map(\.rawValue).joined(separator: ", ")).

            Examples:
              kholedger abi
              kholedger abi --page-size 16384 --format json
              kholedger abi --kernel 7.1
            """
    )

    @Option(name: .long, help: "Page size in bytes: 4096, 16384 or 65536.")
    var pageSize: Int = 4096

    @Option(name: .long, help: "A kernel release (6.16 … 7.4): print its KHO behaviour.")
    var kernel: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard PageGeometry.supportedPageSizes.contains(pageSize) else {
            throw ValidationError("unsupported page size \(pageSize): use 4096, 16384 or 65536")
        }
        if let kernel { _ = try KernelRelease.argument(kernel) }
    }

    func run() throws {
        if let release = kernel.flatMap(KernelRelease.init(name:)) {
            let table = KernelReleaseTable(release: release)
            switch format {
            case .text: print(table.text)
            case .json: print(try table.json)
            }
            return
        }
        let table = try ABIConstantsTable(geometry: PageGeometry(pageSize: pageSize))
        switch format {
        case .text: print(table.text)
        case .json: print(try table.json)
        }
    }
}
