import GRDB

/// The chunk pages of vmalloc areas (`chunk` rows).
public enum ChunkPages {
    /// The address of every chunk page recorded for object `objectID`.
    public static func fetchAll(_ snapshot: LedgerSnapshot, objectID: Int64) throws -> [UInt64] {
        try Row.fetchAll(snapshot.db, sql: "SELECT object_id, idx, phys FROM chunk WHERE object_id = ?",
                         arguments: [objectID]).map { columns throws(CorruptRow) in
            try LedgerRow(columns, table: "chunk", key: "object_id, idx").address("phys")
        }
    }
}
