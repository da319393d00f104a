import KHOLedger

extension Ledger {
    /// Runs `body` with one ``LedgerSnapshot``, so every query of an as-of
    /// answer sees the same ledger; a ``ReplayError`` `body` throws passes
    /// through, any other error is ``ReplayError/ledger(_:)`` (the
    /// ``LedgerError`` naming the file, see ``LedgerError/init(reading:at:)``).
    public func asOfRead<T>(_ body: (LedgerSnapshot) throws -> T) throws(ReplayError) -> T {
        do {
            return try read(body)
        } catch let error as ReplayError {
            throw error
        } catch {
            throw .ledger(LedgerError(reading: error, at: path))
        }
    }
}
