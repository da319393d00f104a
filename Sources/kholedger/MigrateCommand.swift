import ArgumentParser
import Foundation
import KHOLedger

/// `kholedger migrate`: brings a ledger written by an older kholedger to this
/// build's schema, in place and atomically.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Upgrade a ledger written by an older kholedger to this build's schema, in place.",
        discussion: """
            Applies every schema migration the ledger lacks (the numbered files of \
            Migrations/), in order, in ONE SQLite transaction: whatever happens — an \
            error, a kill, a power cut — the ledger is left at its old schema or at the \
            new one, never between, and its operations and hash chain are unchanged. \
            Commands that only read (state, log, sql, …) refuse an older ledger and \
            name this command; commands that record into one upgrade it the same way \
            first. A ledger written by a newer kholedger is refused. It takes the \
            ledger's writer lock (--wait) like any recording.

            Output: the migrations applied, or that the ledger is up to date; \
            --format json prints {"ledger", "applied": [...], "schema"}.

            Examples:
              kholedger migrate
              kholedger migrate --ledger imported.db --format json
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var writer: WriterOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let path = ledger.path
        let opened = try exitOnError { () throws -> Ledger in
            guard FileManager.default.fileExists(atPath: path) else {
                throw LedgerError.notFound("no ledger at \(path): there is nothing to migrate")
            }
            return try writer.open(path)
        }
        let schema = try exitOnError { try LedgerSchema.migrations().last?.identifier ?? "" }
        switch format {
        case .text:
            print(opened.upgradedBy.isEmpty ? "\(path) is up to date (schema \(schema))"
                : "migrated \(path) to schema \(schema): applied \(opened.upgradedBy.joined(separator: ", "))")
        case .json:
            print(try JSONOutput.string(MigrationDocument(ledger: path, applied: opened.upgradedBy, schema: schema)))
        }
    }
}

/// The JSON shape of a migration.
private struct MigrationDocument: Encodable {
    var ledger: String
    var applied: [String]
    var schema: String
}
