import GRDB

extension Ledger {
    /// Runs `body` with the ledger's SQLite connection handle, for the
    /// public SQL interface: statements a user writes against the views
    /// (`kholedger sql`, the canned reports), run through the SQLite C API
    /// by a caller that makes the connection read-only first.
    ///
    /// An error of SQLite becomes ``LedgerError/database(path:_:)``; any
    /// other error `body` throws passes through unchanged.
    public func withConnectionHandle<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        do {
            return try database.inDatabase { db in
                guard let handle = db.sqliteConnection else {
                    throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the connection is closed")
                }
                return try body(handle)
            }
        } catch let error as DatabaseError {
            throw LedgerError.database(path: path, DatabaseFailure(error))
        }
    }

    /// The public views that are not as this build defines them (replaced
    /// or dropped), read outside any transaction (see
    /// ``LedgerSchema/alteredViews(_:)``).
    public func alteredViews() throws(LedgerError) -> [LedgerSchema.AlteredView] {
        do {
            return try database.inDatabase { db in try LedgerSchema.alteredViews(LedgerSnapshot(db: db, path: path)) }
        } catch {
            throw .database(path: path, DatabaseFailure(error))
        }
    }
}
