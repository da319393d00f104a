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
            WITH piece AS (
                -- Every block each vmalloc restore took, with the area it rebuilt.
                SELECT o.seq, o.generation, o.subject, ob.id AS object_id, c.phys, c.ord
                FROM op o
                JOIN object ob ON ob.from_seq = o.seq AND ob.kind = 'restored_vmalloc'
                JOIN op_change_block c ON c.seq = o.seq AND c.action = 'restore'
                WHERE o.kind = 'restore_vmalloc' AND o.seq <= :end AND (:generation IS NULL OR o.generation = :generation)
            ),
            restored AS MATERIALIZED (
                -- The blocks of those areas, read once: SQLite looks them up by address.
                SELECT object_id, phys, ord FROM object_extent_block WHERE object_id IN (SELECT object_id FROM piece)
            )
            SELECT p.seq, p.generation, p.subject, p.phys, p.ord AS stored, r.ord AS restored
            FROM piece p JOIN restored r ON r.object_id = p.object_id AND r.phys = p.phys
            WHERE p.ord < r.ord
            ORDER BY p.seq, p.phys
            """, arguments: ["end": end, "generation": generation]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "op_change", key: "seq")
            return RestoredPiece(seq: try row.integer("seq"), generation: try row.integer("generation"), subject: try row.optionalText("subject"),
                                 phys: try row.address("phys"), storedOrder: try row.integer("stored"), restoredOrder: try row.integer("restored"))
        }
    }
}
