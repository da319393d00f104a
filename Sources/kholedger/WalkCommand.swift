import ArgumentParser
import KHOABI

/// `kholedger walk`: the preserved blocks and subtrees of a captured handover.
struct WalkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "walk",
        abstract: "List the blocks and subtrees a captured handover preserves.",
        discussion: """
            Reads the root FDT (as captured from /sys/kernel/debug/kho/{out,in}/fdt) and \
            walks the preserved-memory tracker it points to through the memory image: \
            the radix tree (kho-v2, v3, v4) or the older bitmap tracker (kho-v1).

            Text output: one line per preserved block, `0x<phys> <order>`, sorted by \
            physical address then order; then one line per subtree in FDT order, \
            `subtree <name> 0x<phys> <size>`. The size is `blob-size` (kho-v3 and later); \
            kho-v1 and kho-v2 blobs are FDTs without a recorded size, so their size is the \
            `totalsize` of the FDT header at the blob's address.
            --format json prints {"preserved": [{"phys", "order"}], "subtrees": [{"name", \
            "phys", "size"}]}; csv prints one row per block or subtree under the header \
            kind,name,phys,order,size.

            Examples:
              kholedger walk --fdt kho.dtb --image memory.elf
              kholedger walk --fdt kho.dtb --image ram.raw --base 0x100000000 --format json
              kholedger walk --fdt kho.dtb --image vmcore --page-size 16384
            """
    )

    @OptionGroup var capture: CaptureOptions

    @Option(name: .long, help: "Output format: text, json or csv.")
    var format: TabularFormat = .text

    func run() throws {
        let walk = try exitOnError { try capture.walk() }
        switch format {
        case .text:
            let lines = (walk.preserved.map(\.description) + walk.subtrees.map(\.description)).map(\.escapingControlCharacters)
            if !lines.isEmpty { print(lines.joined(separator: "\n")) }
        case .json:
            print(try JSONOutput.string(WalkDocument(walk)))
        case .csv:
            let rows = walk.preserved.map { ["block", "", hex($0.phys), "\($0.order)", ""] }
                + walk.subtrees.map { ["subtree", $0.name, hex($0.phys), "", $0.size.map(String.init) ?? ""] }
            print(([["kind", "name", "phys", "order", "size"]] + rows).map(CSV.line).joined(separator: "\n"))
        }
    }
}

/// The JSON shape of a walk.
private struct WalkDocument: Encodable {
    struct Block: Encodable {
        var phys: String
        var order: Int
    }

    struct Subtree: Encodable {
        var name: String
        var phys: String
        var size: UInt64?
    }

    var preserved: [Block]
    var subtrees: [Subtree]

    init(_ walk: HandoverWalk) {
        preserved = walk.preserved.map { Block(phys: hex($0.phys), order: $0.order) }
        subtrees = walk.subtrees.map { Subtree(name: $0.name, phys: hex($0.phys), size: $0.size) }
    }
}
