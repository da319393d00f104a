import ArgumentParser
import KHOLedger

/// `--wait SECONDS`, shared by the commands that record into a ledger (one
/// writer at a time: a second one waits for the first).
struct WriterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Seconds to wait while another process records into the ledger; then fail with 'ledger busy'.",
        discussion: "0 fails at once.", valueName: "seconds"))
    var wait: Int = 60

    func validate() throws {
        guard wait >= 0 else { throw ValidationError("--wait \(wait): seconds must be 0 or more") }
    }

    /// The wait for the ledger at `path`: says once on standard error that
    /// it waits, and for whom.
    func writerWait(for path: String) -> LedgerWriterWait {
        LedgerWriterWait(limit: .seconds(wait)) { [wait] holder in
            printNote("\(path) is being written by \(holder.map { "PID \($0)" } ?? "another writer"); waiting up to \(wait) s")
        }
    }

    /// Opens the ledger at `path` for recording, waiting as `--wait` says.
    func open(_ path: String) throws -> Ledger { try Ledger(path: path, wait: writerWait(for: path)) }
}
