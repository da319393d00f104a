import ArgumentParser
import KHOReplay

/// `kholedger state`: what was preserved at a point in time.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Show what was preserved at a point in time: blocks, vmalloc areas, objects, subtrees, totals.",
        discussion: """
            The state right after one operation of the ledger, read from its interval \
            tables (no replay): the preserved blocks of that operation's generation, its \
            vmalloc areas (preserved, and rebuilt by restores) with their descriptors, \
            folios, page ranges and blobs, the root FDT's subtrees (outgoing, and incoming \
            from the previous generation) and byte totals. At gen:G (a kexec) it is what \
            generation G handed over; for a generation that never handed over, its last \
            operation (a "note:" line, and "point_notes" in JSON, say so). Default point: \
            the last operation.

            Text output: a summary, then areas, objects, subtrees, blocks per order and \
            runs of contiguous blocks; long lists are cut at \(ListLimit.count) rows (--all: every row, \
            and every block instead of the runs). --format \
            json prints {"seq", "generation", "lineage", "page_size", "memory_base", \
            "memory_size", "totals", "point_notes" (only when a note applies), "preserved": [{"phys", "order"}], "areas": [{"name", \
            "kind", "descriptor_phys", "first_chunk", "total_pages", "order", "flags", \
            "chunks", "bytes", "from_seq"}], "objects": [...], "subtrees": [{"direction", \
            "name", "phys", "size", "blob_sha256", "from_seq"}]} with addresses as "0x…".

            Examples:
              kholedger state
              kholedger state --at gen:1
              kholedger state --at gen:2+5 --format json
              kholedger state --at 2026-11-25T10:42:00Z --all
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var point: PointOption

    @Flag(name: .long, help: "List every area, object, subtree and preserved block (text).")
    var all = false

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let (state, owners, notes) = try exitOnError {
            let ledger = try ledger.openForReading()
            let resolved = try point.resolve(in: ledger, default: .lastOperation)
            let state = try AsOfState(ledger: ledger, seq: resolved.seq)
            let owners = format == .text && !all ? try state.owners(of: StateText.runsShown(state.preservedRuns).map(\.phys), in: ledger) : [:]
            return (state, owners, PointNotes(resolved))
        }
        switch format {
        case .text: print(notes.text(StateText.render(state, all: all, owners: owners)))
        case .json: print(try notes.json(StateDocument(state)))
        }
    }
}
