import KHOABI

/// Why the ledger could not be opened, written or read.
public enum LedgerError: Error, Equatable, CustomStringConvertible {
    /// The file was written by a newer kholedger (it has migrations this build does not know).
    case newerSchema(path: String, unknown: [String])
    /// The file was written by an older kholedger: reading it needs
    /// `kholedger migrate` (or any command that records into it) first.
    case olderSchema(path: String, missing: [String])
    /// The bundled migrations are missing from the installation.
    case missingMigrations(String)
    /// SQLite reported an error on the ledger at `path`; the failure keeps it.
    case database(path: String, DatabaseFailure)
    /// A row of the ledger at `path` holds a value no recording writes.
    case corruptRow(path: String, CorruptRow)
    /// The ledger's content contradicts itself (e.g. an op refers to a missing generation).
    case inconsistent(String)
    /// A requested item does not exist.
    case notFound(String)
    /// The ledger cannot be recorded into: the file is read-only, or the
    /// directory that must hold it and its write-ahead log is missing or
    /// not writable.
    case unwritable(path: String, reason: String)
    /// The ledger cannot be read where it is (read-only media).
    case unreadable(path: String, reason: String)
    /// The file at the path is not a kholedger ledger (a directory, an
    /// empty file, another SQLite database, …); nothing was written to it.
    case notALedger(path: String, reason: String)
    /// A connection outside kholedger's writer lock (a `sqlite3` shell with
    /// `PRAGMA locking_mode=EXCLUSIVE`, another program) kept the file
    /// locked for longer than SQLite's busy timeout.
    case locked(path: String, waited: Int)
    /// Another writer (the process `holder`, when known) kept the ledger
    /// for longer than `waited`; nothing was written.
    case busy(path: String, holder: Int32?, waited: Duration)

    public var description: String {
        switch self {
        case let .newerSchema(path, unknown):
            return "\(path) was written by a newer kholedger (unknown schema migrations: \(unknown.joined(separator: ", "))); upgrade kholedger to read it"
        case let .olderSchema(path, missing):
            return "\(path) uses an older schema (it lacks \(missing.joined(separator: ", "))): "
                + "run `kholedger migrate --ledger \(path)` to upgrade it"
        case .missingMigrations(let detail): return "schema migrations not found: \(detail)"
        case let .database(path, failure): return "ledger database error: \(path): \(failure)"
        case let .corruptRow(path, row): return "\(path): \(row)"
        case .inconsistent(let message): return "ledger is inconsistent: \(message)"
        case .notFound(let message): return message
        case let .unwritable(path, reason): return "cannot record into \(path): \(reason)"
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .notALedger(path, reason): return "\(path) is not a kholedger ledger: \(reason)"
        case let .locked(path, waited):
            return "cannot read \(path): another process holds the file locked (gave up after \(waited) s); "
                + "close the program that has it open exclusively and try again"
        case let .busy(path, holder, waited):
            let writer = holder.map { "PID \($0)" } ?? "another writer"
            return "ledger busy: being written by \(writer); gave up on \(path) after waiting \(waited.components.seconds) s"
        }
    }
}

extension LedgerError {
    /// `error`, thrown while reading the ledger at `path`, as a
    /// ``LedgerError``: a ``LedgerError`` unchanged, a ``CorruptRow``
    /// ``corruptRow(path:_:)``, any other error (SQLite's)
    /// ``database(path:_:)`` keeping it.
    public init(reading error: any Error, at path: String) {
        switch error {
        case let error as LedgerError: self = error
        case let row as CorruptRow: self = .corruptRow(path: path, row)
        default: self = .database(path: path, DatabaseFailure(error))
        }
    }
}
