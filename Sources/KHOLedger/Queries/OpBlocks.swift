import GRDB
import KHOABI
import KHOMachine

/// One block an operation's tracker changes (`op_change`) add or remove,
/// with the operation's kind and subject: what the per-call audit checks
/// flag.
public struct OpBlock: Equatable, Sendable {
    public let seq: Int64
    public let generation: Int64
    /// The op kind, e.g. `unpreserve_pages`.
    public let kind: String
    /// The op's subject, if it has one.
    public let subject: String?
    public let block: PreservedBlock

    /// Reads the columns `seq`, `generation`, `phys`, `ord`, `kind` and
    /// `subject` of `row`, its order bound by its generation's layout in
    /// `layouts` (a generation not there is corrupt).
    init(_ row: LedgerRow<Row>, layouts: [Int64: GenerationLayout]) throws(CorruptRow) {
        seq = try row.integer("seq")
        generation = try row.integer("generation")
        guard let geometry = layouts[generation]?.geometry else {
            throw row.corrupt("generation", expected: "a generation of the audited scope")
        }
        block = PreservedBlock(phys: try row.address("phys"), order: try row.order("ord", geometry: geometry))
        kind = try row.text("kind")
        subject = try row.optionalText("subject")
    }

    /// The blocks that successful preserves of `generation` added up to seq
    /// `end` and that overlap `area`, in seq and block order (pages of
    /// `layout`).
    public static func fetchAdded(_ snapshot: LedgerSnapshot, generation: Int64, through end: Int64, overlapping area: MemoryRange,
                                  layout: GenerationLayout) throws -> [OpBlock] {
        try Row.fetchAll(snapshot.db, sql: """
            WITH RECURSIVE added(seq, part, generation, kind, subject, phys, ord, count, size, i) AS (
                SELECT c.seq, c.part, o.generation, o.kind, o.subject, c.phys, c.ord, c.count, :page_size << c.ord, 0
                FROM op o JOIN op_change c ON c.seq = o.seq
                WHERE o.generation = :generation AND o.seq <= :end AND o.result = 'ok' AND c.action = 'add' AND c.blocks IS NULL
                  AND c.phys < :stop AND :start < c.phys + c.count * (:page_size << c.ord)
                UNION ALL
                SELECT seq, part, generation, kind, subject, phys, ord, count, size, i + 1 FROM added
                WHERE i + 1 < count AND phys + (i + 1) * size < :stop
            ),
            block(seq, part, i, generation, kind, subject, phys, ord, size) AS (
                SELECT seq, part, i, generation, kind, subject, phys + i * size, ord, size FROM added
                UNION ALL
                -- Packed rows list their blocks.
                SELECT c.seq, c.part, j.key, o.generation, o.kind, o.subject, j.value * :page_size, c.ord, :page_size << c.ord
                FROM op o JOIN op_change c ON c.seq = o.seq JOIN json_each(c.blocks) j
                WHERE o.generation = :generation AND o.seq <= :end AND o.result = 'ok' AND c.action = 'add' AND c.blocks IS NOT NULL
            )
            SELECT seq, generation, kind, subject, phys, ord FROM block
            WHERE phys < :stop AND :start < phys + size
            ORDER BY seq, part, i
            """, arguments: ["generation": generation, "end": end,
                             "start": Int64(bitPattern: area.address), "stop": Int64(bitPattern: area.end),
                             "page_size": layout.geometry.pageSize]).map { row in
            try OpBlock(LedgerRow(row, table: "op_change", key: "seq, part"), layouts: [generation: layout])
        }
    }
}
