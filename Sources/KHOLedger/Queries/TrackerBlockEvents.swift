import GRDB
import KHOABI
import KHOMachine

/// The tracker changes of the audited operations, block by block, each with
/// what happened to the same block (same generation, address and order)
/// just before: the set-based view the preserve and unpreserve audit checks
/// query, computed by SQLite with one window over the view `op_change_block`
/// (migration 0010).
enum TrackerBlockEvents {
    /// A common table expression `block_event(seq, part, i, generation,
    /// action, phys, ord, size, previous, previous_seq)`: one row per block
    /// added or removed by an audited operation; `previous` is the block's
    /// last action before it (`add`, `remove` or NULL) and `previous_seq`
    /// that action's seq. Bind `:end` and `:generation`.
    static let sql = """
        WITH block_event AS (
            SELECT seq, part, i, generation, action, phys, ord, size,
                   lag(action) OVER history AS previous, lag(seq) OVER history AS previous_seq
            FROM op_change_block
            WHERE action IN ('add', 'remove') AND seq <= :end AND (:generation IS NULL OR generation = :generation)
            WINDOW history AS (PARTITION BY generation, phys, ord ORDER BY seq, part, i)
        )
        """

    /// The op kinds that give memory back (`kho_unpreserve_*`), as an SQL list.
    static let unpreserveKinds = [MachineEvent.Kind.unpreserveFolio, .unpreserveFolios, .unpreservePages, .unpreserveVmalloc, .unpreserveFree]
        .map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// The rows `sql` (after ``sql``'s expression, and the common table
    /// expressions `tables` when given) selects over the operations up to
    /// seq `end` (of `generation` only when given), each read by `read` as
    /// a row of `op_change`.
    static func fetchAll<T>(_ snapshot: LedgerSnapshot, with tables: String? = nil, _ sql: String, through end: Int64, generation: Int64?,
                            _ read: (LedgerRow<Row>) throws(CorruptRow) -> T) throws -> [T] {
        let query = Self.sql + (tables.map { ",\n" + $0 + "\n" } ?? "") + sql
        return try Row.fetchAll(snapshot.db, sql: query, arguments: ["end": end, "generation": generation]).map { row in
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
    /// The lowest block of another order preserved over the block's pages
    /// right before the call, if there is one.
    public let preservedBlock: PreservedBlock?

    /// The unpreserves of blocks not preserved at their order, of the
    /// operations up to seq `end` (of `generation` only when given), in seq
    /// and block order; orders are bound by `layouts`.
    public static func fetchAll(_ snapshot: LedgerSnapshot, through end: Int64, generation: Int64?,
                                layouts: [Int64: GenerationLayout]) throws -> [UnpreservedBlock] {
        // Each removed block that was not preserved at its order, with the
        // lowest block of another order preserved over its pages right
        // before the call (valid at seq - 1), if there is one.
        try TrackerBlockEvents.fetchAll(snapshot, with: """
            removal AS (
                SELECT e.seq, e.part, e.i, e.generation, o.kind, o.subject, e.phys, e.ord, e.size
                FROM block_event e JOIN op o ON o.seq = e.seq
                WHERE e.action = 'remove' AND (e.previous IS NULL OR e.previous = 'remove')
                  AND o.kind IN (\(TrackerBlockEvents.unpreserveKinds))
            ),
            covering AS (
                SELECT f.seq, f.part, f.i, r.id AS run_id, r.ord AS block_ord, min(r.phys) AS block_phys
                FROM removal f
                JOIN preserved_run_block r ON r.generation = f.generation AND r.from_seq < f.seq AND (r.to_seq IS NULL OR r.to_seq >= f.seq)
                    AND r.ord <> f.ord AND r.phys < f.phys + f.size AND f.phys < r.phys + r.size
                GROUP BY f.seq, f.part, f.i
            )
            """, """
            SELECT f.seq, f.part, f.generation, f.kind, f.subject, f.phys, f.ord, c.run_id, c.block_ord, c.block_phys
            FROM removal f LEFT JOIN covering c ON c.seq = f.seq AND c.part = f.part AND c.i = f.i
            ORDER BY f.seq, f.part, f.i
            """, through: end, generation: generation) { row throws(CorruptRow) in
            let removal = try OpBlock(row, layouts: layouts)
            // (The block's generation is in `layouts`: ``OpBlock`` checked it.)
            guard !(row.columns["run_id"] as DatabaseValue).isNull, let geometry = layouts[removal.generation]?.geometry else {
                return UnpreservedBlock(removal: removal, preservedBlock: nil)
            }
            let block = LedgerRow(row.columns, table: "preserved_run", key: "run_id")
            return UnpreservedBlock(removal: removal, preservedBlock: PreservedBlock(phys: try block.address("block_phys"),
                                                                                     order: try block.order("block_ord", geometry: geometry)))
        }
    }
}
