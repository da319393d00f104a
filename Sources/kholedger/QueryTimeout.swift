import ArgumentParser
import KHOReport

/// `--timeout SECONDS`: how long one input of `kholedger sql`, or one query
/// of a report, may run on the read-only connection before it stops with
/// one error line (0: no limit).
struct QueryTimeout: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Stop a query still running after this many seconds (0: no limit).", valueName: "seconds"))
    var timeout: Double = 30

    /// The read-only connection to the ledger at `path`, bounded by the timeout.
    func connection(readingAt path: String) throws -> ReadOnlyConnection {
        guard timeout >= 0, timeout.isFinite else { throw InputError("--timeout \(timeout): give a number of seconds, or 0 for no limit") }
        let connection = try ReadOnlyConnection(readingAt: path)
        connection.timeout = timeout > 0 ? .milliseconds(Int64((timeout * 1000).rounded(.up))) : nil
        return connection
    }
}
