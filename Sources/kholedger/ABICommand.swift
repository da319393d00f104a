import ArgumentParser
import Foundation
import KHOABI

/// `kholedger abi`: prints the KHO layout constants for one page size.
struct ABICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abi",
        abstract: "Print the KHO layout constants for a page size.",
        discussion: """
            Every KHO structure is a function of PAGE_SIZE. This prints the derived \
            constants: entries per vmalloc chunk page, the radix tracker's key and \
            level layout (with the fixed and the original, broken-at-16-KiB depth \
            formula), the kho-v1 bitmap sizes and the typical MAX_PAGE_ORDER.

            Examples:
              kholedger abi
              kholedger abi --page-size 16384 --format json
            """
    )

    @Option(name: .long, help: "Page size in bytes: 4096, 16384 or 65536.")
    var pageSize: Int = 4096

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard PageGeometry.supportedPageSizes.contains(pageSize) else {
            throw ValidationError("unsupported page size \(pageSize): use 4096, 16384 or 65536")
        }
    }

    func run() throws {
        let table = try ABIConstantsTable(geometry: PageGeometry(pageSize: pageSize))
        switch format {
        case .text: print(table.text)
        case .json: print(try table.json)
        }
    }
}
