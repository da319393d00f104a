import GRDB

extension Ledger {
    /// Runs `body` in one read transaction; a ``LedgerError`` it throws
    /// passes through, a ``CorruptRow`` becomes
    /// ``LedgerError/corruptRow(path:_:)`` and any other error
    /// ``LedgerError/database(path:_:)``, each naming this ledger.
    func reading<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try database.read(body)
        } catch let error as LedgerError {
            throw error
        } catch let row as CorruptRow {
            throw .corruptRow(path: path, row)
        } catch {
            throw .database(path: path, DatabaseFailure(error))
        }
    }
}
