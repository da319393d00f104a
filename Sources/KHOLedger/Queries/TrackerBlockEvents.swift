import GRDB
import KHOABI
import KHOMachine

/// The tracker changes of the audited operations, block by block, each with
/// what happened to the same block (same generation, address and order)
/// just before: the set-based view the preserve and unpreserve audit checks
/// query, computed by SQLite with one window over `op_change` (runs
/// expanded, packed rows' lists read by `json_each`).
enum TrackerBlockEvents {
    /// A common table expression `block_event(seq, part, i, generation,
    /// action, phys, ord, size, previous, previous_seq)`: one row per block
    /// added or removed by an audited operation; `previous` is the block's
    /// last action before it (`add`, `remove` or NULL) and `previous_seq`
    /// that action's seq. Bind `:end` and `:generation`.
    static let sql = """
        WITH RECURSIVE change(seq, part, generation, action, phys, ord, count, size, room, i) AS (
            SELECT c.seq, c.part, o.generation, c.action, c.phys, c.ord, c.count, g.page_size << c.ord,
                   g.memory_size / (g.page_size << c.ord), 0
            FROM op_change c
            JOIN op o ON o.seq = c.seq
            JOIN generation g ON g.generation = o.generation
            WHERE c.action IN ('add', 'remove') AND c.seq <= :end AND (:generation IS NULL OR o.generation = :generation)
              AND c.blocks IS NULL
            UNION ALL
            -- At most the blocks the generation's memory holds, whatever a damaged count says.
            SELECT seq, part, generation, action, phys, ord, count, size, room, i + 1 FROM change WHERE i + 1 < count AND i + 1 < room
        ),
        change_block(seq, part, i, generation, action, phys, ord, size) AS (
            SELECT seq, part, i, generation, action, phys + i * size, ord, size FROM change
            UNION ALL
            -- Packed rows list their blocks.
            SELECT c.seq, c.part, j.key, o.generation, c.action, j.value * g.page_size, c.ord, g.page_size << c.ord
            FROM op_change c
            JOIN op o ON o.seq = c.seq
            JOIN generation g ON g.generation = o.generation
            JOIN json_each(c.blocks) j
            WHERE c.action IN ('add', 'remove') AND c.seq <= :end AND (:generation IS NULL OR o.generation = :generation)
              AND c.blocks IS NOT NULL
        ),
        block_event AS (
            SELECT seq, part, i, generation, action, phys, ord, size,
                   lag(action) OVER history AS previous, lag(seq) OVER history AS previous_seq
            FROM change_block
            WINDOW history AS (PARTITION BY generation, phys, ord ORDER BY seq, part, i)
        )
        """

    /// The op kinds that give memory back (`kho_unpreserve_*`), as an SQL list.
    static let unpreserveKinds = [MachineEvent.Kind.unpreserveFolio, .unpreserveFolios, .unpreservePages, .unpreserveVmalloc, .unpreserveFree]
        .map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// The rows `sql` (after ``sql``'s expression) selects over the
    /// operations up to seq `end` (of `generation` only when given), each
    /// read by `read` as a row of `op_change`.
    static func fetchAll<T>(_ snapshot: LedgerSnapshot, _ sql: String, through end: Int64, generation: Int64?,
                            _ read: (LedgerRow<Row>) throws(CorruptRow) -> T) throws -> [T] {
        try Row.fetchAll(snapshot.db, sql: Self.sql + sql, arguments: ["end": end, "generation": generation]).map { row in
            try read(LedgerRow(row, table: "op_change", key: "seq, part"))
        }
    }
}

/// A block a successful preserve added while the tracker already held it
/// at that order (the kernel sets a set bit and returns 0).
public struct DoublePreserve: Equatable, Sendable {
    /// The preserve and the block.
    public let add: OpBlock
    /// The seq of the preserve that added the block before.
    public let previousSeq: Int64

    /// The double preserves of the operations up to seq `end` (of
    /// `generation` only when given), in seq and block order; orders are
    /// bound by `layouts`.
    public static func fetchAll(_ snapshot: LedgerSnapshot, through end: Int64, generation: Int64?,
                                layouts: [Int64: GenerationLayout]) throws -> [DoublePreserve] {
        try TrackerBlockEvents.fetchAll(snapshot, """
            SELECT e.seq, e.part, e.generation, o.kind, o.subject, e.phys, e.ord, e.previous_seq
            FROM block_event e JOIN op o ON o.seq = e.seq
            WHERE e.action = 'add' AND e.previous = 'add' AND o.result = 'ok'
            ORDER BY e.seq, e.part, e.i
            """, through: end, generation: generation) { row throws(CorruptRow) in
            DoublePreserve(add: try OpBlock(row, layouts: layouts), previousSeq: try row.integer("previous_seq"))
        }
    }
}

/// A block an unpreserve (`kho_unpreserve_*`) removed while the tracker did
/// not hold it at that order.
public struct UnpreservedBlock: Equatable, Sendable {
    /// The unpreserve and the block.
    public let removal: OpBlock
    /// The first block of the run of another order preserved over the
    /// block's pages right before the call, if there is one.
    public let preservedRun: PreservedBlock?

    /// The unpreserves of blocks not preserved at their order, of the
    /// operations up to seq `end` (of `generation` only when given), in seq
    /// and block order; orders are bound by `layouts`.
    public static func fetchAll(_ snapshot: LedgerSnapshot, through end: Int64, generation: Int64?,
                                layouts: [Int64: GenerationLayout]) throws -> [UnpreservedBlock] {
        // Each removed block that was not preserved at its order, with the
        // run of another order preserved over its pages right before the
        // call (valid at seq - 1), if there is one.
        try TrackerBlockEvents.fetchAll(snapshot, """
            SELECT f.seq, f.part, f.generation, f.kind, f.subject, f.phys, f.ord, f.run_id, r.ord AS run_ord,
                   CASE WHEN r.blocks IS NULL THEN r.phys
                        ELSE (SELECT min(j.value) * (f.size >> f.ord) FROM json_each(r.blocks) j
                              WHERE j.value * (f.size >> f.ord) < f.phys + f.size
                                AND f.phys < (j.value * (f.size >> f.ord)) + (f.size >> f.ord << r.ord)) END AS run_phys
            FROM (
                SELECT e.seq, e.part, e.i, e.generation, o.kind, o.subject, e.phys, e.ord, e.size,
                       (SELECT r.id FROM preserved_run r
                        WHERE r.generation = e.generation AND r.from_seq < e.seq AND (r.to_seq IS NULL OR r.to_seq >= e.seq)
                          AND r.ord <> e.ord AND (
                              (r.blocks IS NULL AND r.phys < e.phys + e.size AND e.phys < r.phys + r.count * (e.size >> e.ord << r.ord))
                              -- A packed row: one of the blocks it lists overlaps.
                              OR (r.blocks IS NOT NULL AND EXISTS (
                                  SELECT 1 FROM json_each(r.blocks) j
                                  WHERE j.value * (e.size >> e.ord) < e.phys + e.size
                                    AND e.phys < j.value * (e.size >> e.ord) + (e.size >> e.ord << r.ord))))
                        ORDER BY r.phys LIMIT 1) AS run_id
                FROM block_event e JOIN op o ON o.seq = e.seq
                WHERE e.action = 'remove' AND (e.previous IS NULL OR e.previous = 'remove')
                  AND o.kind IN (\(TrackerBlockEvents.unpreserveKinds))
            ) f
            LEFT JOIN preserved_run r ON r.id = f.run_id
            ORDER BY f.seq, f.part, f.i
            """, through: end, generation: generation) { row throws(CorruptRow) in
            let removal = try OpBlock(row, layouts: layouts)
            // (The block's generation is in `layouts`: ``OpBlock`` checked it.)
            guard !(row.columns["run_id"] as DatabaseValue).isNull, let geometry = layouts[removal.generation]?.geometry else {
                return UnpreservedBlock(removal: removal, preservedRun: nil)
            }
            let run = LedgerRow(row.columns, table: "preserved_run", key: "run_id")
            return UnpreservedBlock(removal: removal, preservedRun: PreservedBlock(phys: try run.address("run_phys"),
                                                                                   order: try run.order("run_ord", geometry: geometry)))
        }
    }
}
