import GRDB

/// The `ledger_meta` table. No recording writes a row there: every row in
/// it was added by hand.
public enum LedgerMeta {
    /// The keys of its rows, as text, in order.
    public static func fetchKeys(_ snapshot: LedgerSnapshot) throws -> [String] {
        try String.fetchAll(snapshot.db, sql: "SELECT CAST(key AS TEXT) FROM ledger_meta ORDER BY key")
    }
}
