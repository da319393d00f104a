import ArgumentParser
import KHOLedger
import KHOReplay

/// `kholedger diff A B`: what changed between two points, typically two handovers.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two points in time: areas, preserved blocks, subtrees and preserved content.",
        discussion: """
            A and B are points in time: SEQ, gen:G (generation G's handover), gen:G+K \
            or an ISO-8601 time. A bare number is a seq, never a generation: to compare \
            the handovers of generations 3 and 4, write `kholedger diff gen:3 gen:4`.

            Areas are paired by name (same kind first), then by descriptor address: an \
            area of generation 4 is a different object from its namesake in generation 3, \
            and pairing them is the point. For each changed area: its descriptor fields, \
            the page indices whose content differs (a page that only moved to another \
            frame with equal content is "moved", not "changed") and the frames that moved. \
            Then preserved blocks added and removed per order, subtrees added, removed \
            and changed, and the pages preserved at B whose content differs from A's \
            (what was written into the handed-over memory in between).

            --to-ledger reads B from another ledger file (for example a capture imported \
            there), comparing page contents by SHA-256 across the two files.

            --bytes prints the bytes that differ instead, as a hexdump grouped by run: \
            for each changed page of an area present at both points, its offset in the \
            area and where it lay at A and lies at B, A's bytes (-) above B's (+), 16 a \
            row; then preserved memory outside B's areas whose content differs, by \
            physical address. Differences less than 16 equal bytes apart make one run. \
            --area NAME keeps one area's runs. JSON: {"from", "to", "changed_bytes", \
            "runs": [{"area", "offset", "from_phys", "to_phys", "length", "old", \
            "new"}]}, bytes as hex strings.

            Text output: a summary first, details after (--all: every list in full). \
            --format json prints {"from", "to", "summary", "areas": {"added", "removed", \
            "changed", "unchanged"}, "preserved": {"by_order", "added", "removed"}, \
            "subtrees": {"added", "removed", "changed"}, "content": {"pages", "bytes", \
            "ranges"}} with addresses as "0x…".

            Examples:
              kholedger diff gen:1 gen:2
              kholedger diff gen:0 gen:1 --format json
              kholedger diff 20 35 --all
              kholedger diff gen:1 gen:0 --to-ledger imported.db
              kholedger diff gen:1 gen:2 --bytes --area journal
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: ArgumentHelp("The first point.", valueName: "A"))
    var from: String

    @Argument(help: ArgumentHelp("The second point.", valueName: "B"))
    var to: String

    @Option(name: .customLong("to-ledger"), help: ArgumentHelp("Read B from this ledger instead (default: the same ledger).",
                                                               valueName: "path"))
    var toLedger: String?

    @Flag(name: .long, help: "List every page range, frame move and block (text).")
    var all = false

    @Flag(name: .long, help: "Print the differing bytes as a hexdump, run by run.")
    var bytes = false

    @Option(name: .long, help: ArgumentHelp("With --bytes: only this area's bytes.", valueName: "name"))
    var area: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if area != nil, !bytes { throw ValidationError("--area selects the runs of --bytes: add --bytes") }
    }

    func run() throws {
        let (diff, changedBytes, owners, notes) = try exitOnError {
            let ledger = try ledger.openForReading()
            let a = try PointInTime(parsing: from).resolve(in: ledger)
            let other = try toLedger.map { try Ledger(readingAt: $0) }
            let b = try PointInTime(parsing: to).resolve(in: other ?? ledger)
            let diff = try other.map { try GenerationDiff(ledger: ledger, from: a.seq, otherLedger: $0, to: b.seq) }
                ?? GenerationDiff(ledger: ledger, from: a.seq, to: b.seq)
            let changedBytes = bytes ? try diff.changedBytes(ledger: ledger, otherLedger: other, area: area) : nil
            let owners = format == .text && !bytes ? try diff.to.owners(of: DiffText.contentRangesShown(diff, all: all), in: other ?? ledger) : [:]
            return (diff, changedBytes, owners, PointNotes(a, b))
        }
        switch (format, changedBytes) {
        case (.text, nil): print(notes.text(DiffText.render(diff, from: from, to: to, all: all, owners: owners)))
        case (.json, nil): print(try notes.json(DiffDocument(diff, from: from, to: to)))
        case (.text, let changed?): print(notes.text(DiffBytesText.render(changed, from: from, to: to, all: all)))
        case (.json, let changed?): print(try notes.json(DiffBytesDocument(changed, from: from, to: to)))
        }
    }
}
