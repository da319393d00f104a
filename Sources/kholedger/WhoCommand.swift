import ArgumentParser
import KHOReplay

/// `kholedger who ADDRESS|pfn:N`: everything the ledger knows about one physical page.
struct WhoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "Show everything the ledger knows about one physical page: who held it, every operation on it, its content over time.",
        discussion: """
            The page is named by any address inside it (0x… or decimal, rounded down to \
            the page) or by its page frame number, pfn:N (N × the page size), with the \
            page size of the point's generation. The point (--at, or --generation G for \
            gen:G, G's handover; default: the last operation) picks the machine (the \
            point's lineage) and the moment the holders, the preserved block and the \
            content are shown for:

            - held by: what held the page right after the point: a vmalloc area's page \
            (area page INDEX), a folio, page range or blob, restored or preserved, a \
            vmalloc chunk page (area chunk INDEX), a subtree's blob, the root FDT page, or \
            a tracker page (the radix root from the boot on; at a kexec every tracker \
            page the handover carries);
            - preserved: the tracker blocks {phys, order} covering the page then;
            - content: the SHA-256 of the page then and its first 16 bytes ("zero" when \
            nothing non-zero was recorded for it);
            - operations, per generation of the lineage: every operation that \
            preserved, unpreserved or restored a block covering the page (with that \
            block), wrote it (with the new SHA-256) or cleared it (a zero-filled \
            allocation, or the scrub at a KHO boot of memory nobody handed over);
            - content over time: each stored content with the seqs it held from and \
            until.

            Every stored copy of the page is checked against its SHA-256; an altered \
            one fails the command, naming it. Each lookup is an index search by the \
            page's address: the cost grows with the page's history, not the ledger's.

            A page inside memory that nothing ever held, preserved, restored or wrote \
            is an answer, not an error: "the ledger never saw page …", exit 0 (JSON: \
            "known": false). An address that does not parse, a pfn or address outside \
            the generation's memory, or a point outside the ledger is one error line, \
            exit 1.

            --format json prints {"page", "pfn", "page_size", "lineage", "seq", \
            "generation", "known", "point_notes" (only when a note applies), \
            "held_by": [{"name", "kind", "role", "index", "description"}], \
            "preserved": [{"phys", "order", "from_seq"}], "content": {"sha256", \
            "from_seq", "until_seq", "first_bytes"} or null (zero), "generations": \
            [{"generation", "operations": [{"seq", "time", "kind", "subject", "action", \
            "block": {"phys", "order"}, "sha256"}]}], "content_history": [{"from_seq", \
            "until_seq", "sha256"}]}; fields an entry lacks are null.

            The examples read page 256 of the journal in the ledger of \
            Examples/multi-generation.yaml.

            Examples:
              kholedger who 0x102900123
              kholedger who pfn:1059072 --generation 1
              kholedger who 0x102900000 --at gen:2+3 --format json
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: ArgumentHelp("An address inside the page (0x… or decimal) or pfn:N.", valueName: "address|pfn:N"))
    var page: String

    @OptionGroup var point: PointOption

    @Option(name: .long, help: ArgumentHelp("The point gen:G: generation G's handover (its last operation if it never handed over).", valueName: "G"))
    var generation: Int64?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard point.at == nil || generation == nil else {
            throw ValidationError("--at and --generation both name the point: give one")
        }
    }

    func run() throws {
        let (history, notes) = try exitOnError {
            let address = try parsePage(page, argument: "address")
            let ledger = try ledger.openForReading()
            let resolved = try generation.map { try PointInTime.generation($0, offset: nil).resolve(in: ledger) }
                ?? point.resolve(in: ledger, default: .lastOperation)
            return (try PageHistory(ledger: ledger, page: address, seq: resolved.seq), PointNotes(resolved))
        }
        switch format {
        case .text: print(notes.text(WhoText.render(history)))
        case .json: print(try notes.json(WhoDocument(history)))
        }
    }
}
