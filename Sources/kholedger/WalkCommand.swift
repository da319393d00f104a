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
            `totalsize` of the FDT header at the blob's address; a kho-v1/v2 blob that is \
            not an FDT (the kernel does not check when it is added) is listed without a \
            size and named in a warning on standard error, and the walk goes on. A 7.1+ \
            handover's kexec-metadata is decoded on a last line, `kexec-metadata \
            <previous_release> <kexec_count>`.
            --format json prints {"preserved": [{"phys", "order"}], "subtrees": [{"name", \
            "phys", "size", "error"}], "test_kho": [{"subtree", "magic", "nr_folios", \
            "csum"}], "kexec_metadata": {"previous_release", "kexec_count"}}, where \
            test_kho decodes each test module subtree (`kho_test`, or the 7.2-era \
            `kho_test0` … `kho_test3`) as the module's restore reads it; csv prints one \
            row per block or subtree under the header kind,name,phys,order,size.

            --debugfs FOLDER takes the root FDT from a copy of /sys/kernel/debug/kho (its \
            out/ or in/), read whole from the image when out/fdt is short; `import \
            --debugfs` also checks the folder's other files.

            Examples:
              kholedger walk --fdt kho.dtb --image memory.elf
              kholedger walk --fdt kho.dtb --image ram.raw --base 0x100000000 --format json
              kholedger walk --fdt kho-16k.dtb --image vmcore-16k --page-size 16384
              kholedger walk --debugfs capture/kho --image capture/memory.elf
            """
    )

    @OptionGroup var capture: CaptureOptions

    @Option(name: .long, help: "Output format: text, json or csv.")
    var format: TabularFormat = .text

    func run() throws {
        let (walk, read, note) = try exitOnError { try capture.walk() }
        if let note { printNote("note: \(note)".escapingControlCharacters) }
        for problem in walk.subtreeProblems { printNote("warning: \(problem)".escapingControlCharacters) }
        let metadata = walk.kexecMetadata(read: read)
        switch format {
        case .text:
            var lines = walk.preserved.map(\.description) + walk.subtrees.map(\.description)
            if let metadata { lines.append("\(KexecMetadata.subtreeName) \(metadata.previousRelease) \(metadata.kexecCount)") }
            lines = lines.map(\.escapingControlCharacters)
            if !lines.isEmpty { print(lines.joined(separator: "\n")) }
        case .json:
            print(try JSONOutput.string(WalkDocument(walk, testModule: walk.testModuleFDTs(read: read), metadata: metadata)))
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
        /// Why a kho-v1/v2 blob has no size.
        var error: String?
    }

    var preserved: [Block]
    var subtrees: [Subtree]
    var testKho: [KHOTestFDT.Summary]
    var kexecMetadata: KexecMetadata?

    init(_ walk: HandoverWalk, testModule: [KHOTestFDT.Summary], metadata: KexecMetadata?) {
        preserved = walk.preserved.map { Block(phys: hex($0.phys), order: $0.order) }
        subtrees = walk.subtrees.map { subtree in
            let problem = walk.subtreeProblems.first { if case .subtreeBlob(subtree.name, subtree.phys, _) = $0 { true } else { false } }
            return Subtree(name: subtree.name, phys: hex(subtree.phys), size: subtree.size, error: problem?.description)
        }
        testKho = testModule
        kexecMetadata = metadata
    }
}
