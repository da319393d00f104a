import GRDB
import KHOABI

/// The blocks a generation handed over, as the public view `v_handed_over`
/// states them (the ledger's leak rule, migration 0006).
public enum HandedOverBlocks {
    /// The blocks `generation` (pages of `geometry`) handed over that no
    /// restore claimed by seq `end`, KHO's own pages aside, in address order.
    public static func fetchUnclaimed(_ snapshot: LedgerSnapshot, generation: Int64, through end: Int64,
                                      geometry: PageGeometry) throws -> [PreservedBlock] {
        try Row.fetchAll(snapshot.db, sql: """
            SELECT pfn, "order" FROM v_handed_over
            WHERE generation = ? AND kho_own IS NULL AND (claimed_seq IS NULL OR claimed_seq > ?)
            ORDER BY pfn
            """, arguments: [generation, end]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "v_handed_over", key: "pfn")
            return PreservedBlock(phys: try row.address("pfn") << UInt64(geometry.pageShift), order: try row.order("order", geometry: geometry))
        }
    }
}
