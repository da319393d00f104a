import GRDB
import KHOLedger

extension Ledger {
    /// Runs `body` in one read transaction, so every query of an as-of
    /// answer sees the same ledger; a ``CorruptRow`` becomes
    /// ``ReplayError/corruptRow(path:_:)``, other errors that are not
    /// ``ReplayError``s ``ReplayError/ledger(_:)``, naming the file.
    public func asOfRead<T>(_ body: (Database) throws -> T) throws(ReplayError) -> T {
        do {
            return try database.read(body)
        } catch let error as ReplayError {
            throw error
        } catch let error as CorruptRow {
            throw .corruptRow(path: path, error)
        } catch {
            throw .ledger("\(path): \(error)")
        }
    }
}
