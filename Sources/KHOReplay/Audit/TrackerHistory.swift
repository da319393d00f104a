import KHOMachine

/// The tracker changes of the audited operations, block by block, each with
/// what happened to the same block (same generation, address and order)
/// just before: the set-based view the preserve and unpreserve checks
/// query, computed by SQLite with one window over `op_change`.
enum TrackerHistory {
    /// A common table expression `block_event(seq, part, i, generation,
    /// action, phys, ord, size, previous, previous_seq)`: one row per block
    /// added or removed by an audited operation; `previous` is the block's
    /// last action before it (`add`, `remove` or NULL) and `previous_seq`
    /// that action's seq. Bind `:end` and `:generation`.
    static let blockEvents = """
        WITH RECURSIVE change(seq, part, generation, action, phys, ord, count, size, room, i) AS (
            SELECT c.seq, c.part, o.generation, c.action, c.phys, c.ord, c.count, g.page_size << c.ord,
                   g.memory_size / (g.page_size << c.ord), 0
            FROM op_change c
            JOIN op o ON o.seq = c.seq
            JOIN generation g ON g.generation = o.generation
            WHERE c.action IN ('add', 'remove') AND c.seq <= :end AND (:generation IS NULL OR o.generation = :generation)
            UNION ALL
            -- At most the blocks the generation's memory holds, whatever a damaged count says.
            SELECT seq, part, generation, action, phys, ord, count, size, room, i + 1 FROM change WHERE i + 1 < count AND i + 1 < room
        ),
        block_event AS (
            SELECT seq, part, i, generation, action, phys + i * size AS phys, ord, size,
                   lag(action) OVER history AS previous, lag(seq) OVER history AS previous_seq
            FROM change
            WINDOW history AS (PARTITION BY generation, phys + i * size, ord ORDER BY seq, part, i)
        )
        """

    /// The op kinds that give memory back (`kho_unpreserve_*`), as an SQL list.
    static let unpreserveKinds = [MachineEvent.Kind.unpreserveFolio, .unpreservePages, .unpreserveVmalloc, .unpreserveFree]
        .map { "'\($0.rawValue)'" }.joined(separator: ", ")
}
