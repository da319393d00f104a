import GRDB

/// The emulated machines of a ledger: a lineage is a cold boot's machine
/// across its kexecs, named by the generation of that cold boot.
public enum Lineages {
    /// The layout of `lineage` as its first generation states it, or nil
    /// when the ledger has no such lineage.
    public static func layout(_ snapshot: LedgerSnapshot, lineage: Int64) throws -> GenerationLayout? {
        try Row.fetchOne(snapshot.db, sql: """
            SELECT generation, page_size, memory_base, memory_size FROM generation WHERE lineage = ? ORDER BY generation LIMIT 1
            """, arguments: [lineage]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "generation", key: "generation")
            let geometry = try row.geometry("page_size")
            return GenerationLayout(geometry: geometry, memory: try GenerationMemory(row, geometry: geometry))
        }
    }

    /// The lineage of the machine that ran operation `seq`, or nil when the
    /// ledger has no such operation.
    public static func lineage(ofSeq seq: Int64, _ snapshot: LedgerSnapshot) throws -> Int64? {
        try Row.fetchOne(snapshot.db, sql: """
            SELECT g.generation, g.lineage FROM op JOIN generation g ON g.generation = op.generation WHERE op.seq = ?
            """, arguments: [seq]).map { columns throws(CorruptRow) in
            try LedgerRow(columns, table: "generation", key: "generation").integer("lineage")
        }
    }
}
