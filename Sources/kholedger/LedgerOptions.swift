import ArgumentParser
import KHOLedger

/// `--ledger PATH`, shared by every command that reads or writes a ledger.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger file.", discussion: "Default: $KHOLEDGER_DB, else ./kholedger.db.", valueName: "path"))
    var ledger: String?

    /// The path to use.
    var path: String { ledger ?? Ledger.defaultPath() }

    /// Opens the ledger read-only.
    func openForReading() throws -> Ledger { try Ledger(readingAt: path) }
}
