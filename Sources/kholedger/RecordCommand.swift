import ArgumentParser
import KHOABI
import KHOArtifacts

extension ABIGeneration: ExpressibleByArgument {}

/// `kholedger record [FILE|-]`: records a JSON Lines event stream into the ledger.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record a JSON Lines stream of KHO calls (a trace) into the ledger.",
        discussion: """
            Each line is one KHO call: its kind, arguments, result, and where known \
            its tracker changes, frames, vmalloc descriptor, chunk pages and written \
            bytes; the schema is in docs/event-stream.md. contrib/kho-trace.bt prints \
            it from a live kernel with bpftrace; `kholedger simulate --events FILE` \
            writes it for an emulated run. What a line leaves out is derived from \
            its arguments and from the calls nested in it (a vmalloc preservation's \
            kho_preserve_pages calls give its blocks and chunk pages). Recorded \
            generations (source "record") work with log, show, state, diff and \
            restore --area like simulated ones.

            Every line is validated: JSON types, required fields, "0x…" addresses, \
            orders the page size allows, alignment, blocks inside RAM, the kind. \
            The first bad line stops the run with one error line `line N: reason` \
            naming the bad value; the lines before it stay recorded (their \
            transactions are committed) and the exit status is 1. With --keep-going \
            every bad line is reported and skipped, and the exit status is 1 if any \
            was. No ledger file is created until a line is recorded.

            --check runs every line through the same validation, nesting and \
            derivation but records nothing and creates no ledger: the errors and \
            the exit status are those a recording would give, and the summary \
            counts the operations it would record.

            FILE - reads standard input as it arrives: on a host, `bpftrace \
            contrib/kho-trace.bt | kholedger record - --label host-42` records the \
            kernel's calls as they happen. \
            The page size and ABI come from the first boot line's "machine" object, \
            else --page-size and --abi, else 4096 and v3.

            Output: a summary (lines read, operations recorded, nested lines folded, \
            lines rejected, seqs); --format json prints {"ledger", "lines", \
            "recorded", "folded", "rejected", "implicit_boots", "first_seq", "last_seq"} \
            (with --check, without "ledger" and the seqs).

            Examples:
              kholedger record events.jsonl
              kholedger record trace.jsonl --page-size 16384 --keep-going --format json
              kholedger record trace.jsonl --check --keep-going
            """
    )

    @Argument(help: ArgumentHelp("The JSON Lines file, or - for standard input.", valueName: "file"))
    var file: String = "-"

    @Option(name: .long, help: ArgumentHelp("Page size of the traced kernel: 4096, 16384 or 65536.",
                                            discussion: "Default: the stream's machine line, else 4096."))
    var pageSize: Int?

    @Option(name: .long, help: ArgumentHelp("Handover ABI of the traced kernel: v1a, v1b, v2, v3, v4 or v4c.",
                                            discussion: "Default: the stream's machine line, else v3."))
    var abi: ABIGeneration?

    @Option(name: .long, help: ArgumentHelp("A label stored with the recorded generations.", valueName: "text"))
    var label: String?

    @Flag(name: .long, help: "Report and skip bad lines instead of stopping at the first.")
    var keepGoing = false

    @Flag(name: .long, help: "Check the stream only: validate and derive every line, record nothing.")
    var check = false

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var writer: WriterOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let geometry = try exitOnError { () throws -> PageGeometry? in
            do {
                return try pageSize.map { try PageGeometry(pageSize: $0) }
            } catch {
                throw InputError("--page-size: \(error)")
            }
        }
        let recorder = EventStreamRecorder(ledgerPath: check ? nil : ledger.path, ledgerWait: writer.writerWait(for: ledger.path), options: .init(geometry: geometry, abi: abi),
                                           label: label, keepGoing: keepGoing)
        let summary = try exitOnError { try recorder.record(path: file) { printError($0.description) } }
        if let failure = summary.failure {
            let kept = summary.ledger.flatMap { summary.recorded > 0 ? "the \(summary.recorded) operations before it are recorded in \($0)" : nil }
            printError("\(failure) (stopped; \(kept ?? "nothing recorded"))")
            throw ExitCode.failure
        }
        switch format {
        case .text:
            let seqs = summary.firstSeq.map { first in " (seq \(first)…\(summary.lastSeq ?? first))" } ?? ""
            let outcome = summary.ledger.map { "recorded \(summary.recorded) operations\(seqs) into \($0)" }
                ?? "checked: \(summary.recorded) operations would be recorded"
            print("""
                \(outcome) from \(summary.lines) lines: \
                \(summary.folded) nested calls folded, \(summary.rejected) lines rejected, \(summary.implicitBoots) implicit boots
                """)
        case .json:
            print(try JSONOutput.string(summary))
        }
        if summary.rejected > 0 { throw ExitCode.failure }
    }
}
