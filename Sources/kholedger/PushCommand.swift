import ArgumentParser
import Foundation
import KHOFleet
import KHOLedger

/// `kholedger push`: copies a ledger into the fleet store.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Copy the ledger's operations into a PostgreSQL fleet store, as one host.",
        discussion: """
            Stores every operation the store lacks for host NAME, with every row its \
            hash covers, by COPY, --batch-size operations (default 10000) a transaction. \
            A push only adds: the store keeps each host's chain head, and a ledger that \
            does not extend it (its history was rewritten, or forked from another host's) \
            is refused with the first seq that differs; nothing of it is stored. Each \
            operation pushed must verify against the one before it, as `audit --chain` \
            checks. A second push of the same ledger stores nothing; a push killed at any \
            moment loses nothing, and the next one goes on from the head.

            --content says what of the page contents goes to the store: hashes (the \
            default: each page's SHA-256, so `fleet verify` recomputes the whole chain \
            while the bytes stay on the host), full (the bytes too, each distinct page \
            once per host) or none (neither; `fleet verify` then checks only the links of \
            operations that set page contents). A host keeps the --content of its first \
            push.

            After storing operations, the push also replaces the host's summary (the \
            `summary` report of its ledger) and, unless --no-audit, its audit findings \
            (`kholedger audit`), which the fleet views and reports read.

            The store's schema is applied first (`kholedger fleet migrate`). The URL is \
            --to, else $KHOLEDGER_FLEET; it is libpq's: postgresql://USER[:PASSWORD]@HOST\
            [:PORT]/DATABASE[?sslmode=…]; a password may also come from ~/.pgpass or \
            $PGPASSWORD. The role needs kholedger_pusher (the schema grants it), or owns \
            the database.

            The examples take the store from $KHOLEDGER_FLEET (e.g. \
            postgresql://kholedger@fleet-db/fleet).

            Examples:
              kholedger push --host hv-0042
              kholedger push --host hv-0043 --content full --format json
              kholedger push --host hv-0044 --content none --no-audit --batch-size 1000
            """
    )

    @Option(name: .long, help: ArgumentHelp("The host's name in the store: letters, digits, '.', '-' and '_'.", valueName: "name"))
    var host: String

    @Option(name: .long, help: "What of the page contents to store: none, hashes or full.")
    var content: FleetContent = .hashes

    @Flag(name: .customLong("no-audit"), help: "Do not store the host's audit findings.")
    var noAudit = false

    @Option(name: .customLong("batch-size"), help: ArgumentHelp("Operations per transaction.", valueName: "count"))
    var batchSize = FleetStore.defaultBatchSize

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var fleet: FleetOptions

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try exitOnError {
            guard batchSize > 0 else { throw InputError("--batch-size \(batchSize): give a positive count of operations") }
            let source = try ledger.openForReading()
            let store = try fleet.store()
            let progress = ProgressLine("push", total: 0)
            let report: PushReport
            do {
                defer { progress.clear() }
                report = try store.push(source, host: host, content: content, audit: !noAudit, batchSize: batchSize) { done, total in
                    progress.update(done: done, total: total)
                }
            }
            switch format {
            case .json: print(try JSONOutput.string(PushDocument(report, store: store.location)))
            case .text:
                let head = report.head.map { "head \($0)" } ?? "no operations"
                print(report.ops == 0 ? "host \(report.host): the store already holds every operation (\(head))"
                      : "host \(report.host): stored \(report.ops) operations in \(report.batches) transactions (\(head))")
                if let findings = report.findings { print("audit: \(findings) findings stored") }
            }
        }
    }
}

/// `push --format json`.
private struct PushDocument: Encodable {
    var store: String
    var host: String
    var ops: Int
    var batches: Int
    var head: String?
    var findings: Int?

    init(_ report: PushReport, store: String) {
        self.store = store
        host = report.host
        ops = report.ops
        batches = report.batches
        head = report.head?.description
        findings = report.findings
    }
}
