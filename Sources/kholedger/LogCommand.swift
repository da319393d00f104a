import ArgumentParser
import KHOLedger
import KHOMachine

/// `kholedger log`: lists operations.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List the operations of a ledger.",
        discussion: """
            One line per operation: seq, generation, time, kind, subject, result and \
            arguments. Filters combine. A filter that cannot match is an error, not an \
            empty list: a kind that is not an operation kind (the kinds are listed, the \
            closest suggested), a generation the ledger does not have, --from after --to.

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

    @Option(name: .long, help: ArgumentHelp("Only this kind: \(MachineEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")).",
                                            valueName: "kind"))
    var kind: String?

    @Option(name: .long, help: "At most this many operations.")
    var limit: Int?

    @Option(name: .long, help: "Output format: text, json or csv.")
    var format: TabularFormat = .text

    func run() throws {
        let ops = try exitOnError {
            if let from, let to, from > to { throw InputError("--from \(from) is after --to \(to): no operation lies between them") }
            let filter = OpFilter(generation: generation, fromSeq: from, toSeq: to, subject: subject, kind: try kind.map(Self.kind), limit: limit)
            return try ledger.openForReading().operations(filter)
        }
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

    /// The operation kind `text` names; an unknown one is an error listing
    /// the kinds and suggesting the closest.
    static func kind(_ text: String) throws -> MachineEvent.Kind {
        if let kind = MachineEvent.Kind(rawValue: text) { return kind }
        let kinds = MachineEvent.Kind.allCases.map(\.rawValue)
        let hint = NearestName.suggestion(for: text, among: kinds).map { " (did you mean \"\($0)\"?)" } ?? ""
        throw InputError("--kind \"\(text)\" is not an operation kind\(hint); the kinds are \(kinds.joined(separator: ", "))")
    }
}
