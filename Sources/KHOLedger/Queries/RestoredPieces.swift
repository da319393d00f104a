import GRDB

/// A block a `kho_restore_vmalloc` took whose head page the tracker held
/// as a smaller piece (`op_change` action `restore` at a smaller order than
/// the restored area's extent).
public struct RestoredPiece: Equatable, Sendable {
    /// The restore.
    public let seq: Int64
    public let generation: Int64
    /// The restored area's name, if the op has a subject.
    public let subject: String?
    /// The piece's first byte.
    public let phys: UInt64
    /// The order the piece was tracked at.
    public let storedOrder: Int64
    /// The order of the extent the restore took it as.
    public let restoredOrder: Int64

    /// The pieces the vmalloc restores up to seq `end` (of `generation`
    /// only when given) took, in seq and address order.
    public static func fetchAll(_ snapshot: LedgerSnapshot, through end: Int64, generation: Int64?) throws -> [RestoredPiece] {
        try Row.fetchAll(snapshot.db, sql: """
            WITH piece(seq, phys, ord) AS (
                -- A run's first block, or every block a packed row lists.
                SELECT c.seq, c.phys, c.ord FROM op_change c WHERE c.action = 'restore' AND c.blocks IS NULL
                UNION ALL
                SELECT c.seq, j.value * g.page_size, c.ord
                FROM op_change c JOIN op o ON o.seq = c.seq JOIN generation g ON g.generation = o.generation JOIN json_each(c.blocks) j
                WHERE c.action = 'restore' AND c.blocks IS NOT NULL
            )
            SELECT o.seq, o.generation, o.subject, c.phys, c.ord AS stored, e.ord AS restored
            FROM op o
            JOIN generation g ON g.generation = o.generation
            JOIN object ob ON ob.from_seq = o.seq AND ob.kind = 'restored_vmalloc'
            JOIN object_extent e ON e.object_id = ob.id
            JOIN piece c ON c.seq = o.seq
            WHERE o.kind = 'restore_vmalloc' AND o.seq <= :end AND (:generation IS NULL OR o.generation = :generation)
              AND c.ord < e.ord AND (
                  (e.blocks IS NULL AND c.phys >= e.phys AND c.phys < e.phys + e.count * (g.page_size << e.ord)
                   AND (c.phys - e.phys) % (g.page_size << e.ord) = 0)
                  OR (e.blocks IS NOT NULL AND c.phys % g.page_size = 0
                      AND EXISTS (SELECT 1 FROM json_each(e.blocks) j WHERE j.value = c.phys / g.page_size)))
            ORDER BY o.seq, c.phys
            """, arguments: ["end": end, "generation": generation]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "op_change", key: "seq")
            return RestoredPiece(seq: try row.integer("seq"), generation: try row.integer("generation"), subject: try row.optionalText("subject"),
                                 phys: try row.address("phys"), storedOrder: try row.integer("stored"), restoredOrder: try row.integer("restored"))
        }
    }
}
