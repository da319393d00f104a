import GRDB

/// The generations a ledger has recorded.
public enum GenerationNumbers {
    /// Every generation's number, in order.
    public static func fetchAll(_ snapshot: LedgerSnapshot) throws -> [Int64] {
        try Row.fetchAll(snapshot.db, sql: "SELECT generation FROM generation ORDER BY generation").map { columns throws(CorruptRow) in
            try LedgerRow(columns, table: "generation", key: "generation").integer("generation")
        }
    }

    /// The last generation's number; nil when the ledger has none.
    public static func last(_ snapshot: LedgerSnapshot) throws -> Int64? {
        try Int64.fetchOne(snapshot.db, sql: "SELECT max(generation) FROM generation")
    }
}
