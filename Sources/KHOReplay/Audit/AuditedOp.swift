import GRDB
import KHOABI
import KHOLedger

/// One audited operation with the blocks a check flagged in it: per-call
/// checks report one finding per operation, naming the first block and
/// how many there are.
struct AuditedOp {
    let seq: Int64
    let generation: Int64
    /// The op kind, e.g. `unpreserve_pages`.
    let kind: String
    /// The op's subject, else the address of its first flagged block.
    let subject: String
    /// The flagged blocks, in the op's order.
    var blocks: AuditBlocks
    /// The query row of the first flagged block (for check-specific columns).
    let firstRow: Row

    /// Groups query rows by op. Each row has the columns `seq`,
    /// `generation`, `kind`, `subject`, `phys` and `ord`, and rows come in
    /// seq order.
    static func grouping(_ rows: [Row], in scope: AuditScope) throws(AuditError) -> [AuditedOp] {
        var ops: [AuditedOp] = []
        for columns in rows {
            let row = LedgerRow(columns, table: "op_change", key: "seq, part")
            try scope.checked { () throws(CorruptRow) in
                let seq = try row.integer("seq")
                let generation = try row.integer("generation")
                guard let geometry = scope.handovers.first(where: { $0.generation == generation })?.geometry else {
                    throw row.corrupt("generation", expected: "a generation of the audited scope")
                }
                let block = PreservedBlock(phys: try row.address("phys"), order: try row.order("ord", geometry: geometry))
                if ops.last?.seq != seq {
                    ops.append(AuditedOp(seq: seq, generation: generation, kind: try row.text("kind"),
                                         subject: try row.optionalText("subject") ?? hex(block.phys),
                                         blocks: AuditBlocks(geometry: geometry), firstRow: columns))
                }
                ops[ops.count - 1].blocks.append(block)
            }
        }
        return ops
    }
}
