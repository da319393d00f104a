import ArgumentParser
import KHOLedger

/// `kholedger log`: lists operations.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List the operations of a ledger.",
        discussion: """
            One line per operation: seq, generation, time, kind, subject, result and \
            arguments. Filters combine.

            Examples:
              kholedger log --generation 1
              kholedger log --kind preserve_vmalloc --format json
              kholedger log --from 10 --to 20 --format csv
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Option(name: .long, help: "Only this generation.")
    var generation: Int64?

    @Option(name: .long, help: "First seq to list.")
    var from: Int64?

    @Option(name: .long, help: "Last seq to list.")
    var to: Int64?

    @Option(name: .long, help: "Only operations about this area, blob or subtree name.")
    var subject: String?

    @Option(name: .long, help: "Only this kind (e.g. preserve_vmalloc, kexec).")
    var kind: String?

    @Option(name: .long, help: "At most this many operations.")
    var limit: Int?

    @Option(name: .long, help: "Output format: text, json or csv.")
    var format: TabularFormat = .text

    func run() throws {
        let ops = try ledger.openForReading().operations(
            OpFilter(generation: generation, fromSeq: from, toSeq: to, subject: subject, kind: kind, limit: limit))
        switch format {
        case .json:
            print(try JSONOutput.string(ops))
        case .csv:
            print(CSV.line(["seq", "generation", "time", "kind", "subject", "result", "args", "detail"]))
            for op in ops {
                print(CSV.line(["\(op.seq)", "\(op.generation)", op.time, op.kind, op.subject ?? "", op.result, op.args, op.detail ?? ""]))
            }
        case .text:
            var table = TextTable(header: ["SEQ", "GEN", "TIME", "KIND", "SUBJECT", "RESULT", "ARGS"])
            for op in ops {
                table.rows.append(["\(op.seq)", "\(op.generation)", op.time, op.kind, op.subject ?? "-", op.result, op.args])
            }
            print(table.rendered)
        }
    }
}
