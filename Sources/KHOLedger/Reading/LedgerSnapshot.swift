import GRDB

/// One read transaction of a ledger: every query given the same snapshot
/// sees the same ledger, whatever is recorded meanwhile.
///
/// Only KHOLedger runs SQL against the ledger's tables; other modules get a
/// snapshot from ``Ledger/read(_:)`` and pass it to the query types of
/// `KHOLedger/Queries` (``HandoverGenerations``, ``StoredPages``, …).
public struct LedgerSnapshot {
    /// The connection, inside its read transaction.
    let db: Database
    /// The ledger file.
    public let path: String
}

extension Ledger {
    /// Runs `body` with one ``LedgerSnapshot`` of this ledger.
    ///
    /// An error of SQLite becomes ``LedgerError/database(path:_:)`` (keeping
    /// it), a ``CorruptRow`` ``LedgerError/corruptRow(path:_:)``; any other
    /// error `body` throws passes through unchanged.
    public func read<T>(_ body: (LedgerSnapshot) throws -> T) throws -> T {
        do {
            return try database.read { db in try body(LedgerSnapshot(db: db, path: path)) }
        } catch let row as CorruptRow {
            throw LedgerError.corruptRow(path: path, row)
        } catch let error as DatabaseError {
            throw LedgerError.database(path: path, DatabaseFailure(error))
        }
    }

    /// Runs `body` in one read transaction; a ``LedgerError`` it throws
    /// passes through, a ``CorruptRow`` becomes
    /// ``LedgerError/corruptRow(path:_:)`` and any other error
    /// ``LedgerError/database(path:_:)``, each naming this ledger.
    func reading<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw LedgerError(reading: error, at: path)
        }
    }
}
