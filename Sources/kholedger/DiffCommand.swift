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

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let (diff, notes) = try exitOnError {
            let ledger = try ledger.openForReading()
            let a = try PointInTime(parsing: from).resolve(in: ledger)
            guard let toLedger else {
                let b = try PointInTime(parsing: to).resolve(in: ledger)
                return (try GenerationDiff(ledger: ledger, from: a.seq, to: b.seq), PointNotes(a, b))
            }
            let other = try Ledger(readingAt: toLedger)
            let b = try PointInTime(parsing: to).resolve(in: other)
            return (try GenerationDiff(ledger: ledger, from: a.seq, otherLedger: other, to: b.seq), PointNotes(a, b))
        }
        switch format {
        case .text: print(notes.text(DiffText.render(diff, from: from, to: to, all: all)))
        case .json: print(try notes.json(DiffDocument(diff, from: from, to: to)))
        }
    }
}
