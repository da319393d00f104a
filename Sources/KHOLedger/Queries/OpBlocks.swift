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
            SELECT b.seq, b.generation, o.kind, o.subject, b.phys, b.ord
            FROM op o JOIN op_change_block b ON b.seq = o.seq
            WHERE o.generation = :generation AND o.seq <= :end AND o.result = 'ok' AND b.action = 'add'
              AND b.phys < :stop AND :start < b.phys + b.size
            ORDER BY b.seq, b.part, b.i
            """, arguments: ["generation": generation, "end": end,
                             "start": Int64(bitPattern: area.address), "stop": Int64(bitPattern: area.end)]).map { row in
            try OpBlock(LedgerRow(row, table: "op_change", key: "seq, part"), layouts: [generation: layout])
        }
    }
}
