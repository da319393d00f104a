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
        for row in rows {
            let seq: Int64 = row["seq"]
            let generation: Int64 = row["generation"]
            let geometry = try scope.geometry(of: generation)
            let order: Int
            do throws(CorruptRow) {
                order = try CorruptRow.order(row["ord"], geometry: geometry, table: "op_change", row: "of seq \(seq)")
            } catch {
                throw .replay(.corruptRow(path: scope.ledger.path, error))
            }
            let block = PreservedBlock(phys: UInt64(bitPattern: row["phys"]), order: order)
            if ops.last?.seq != seq {
                ops.append(AuditedOp(seq: seq, generation: generation, kind: row["kind"],
                                     subject: row["subject"] ?? hex(block.phys),
                                     blocks: AuditBlocks(geometry: geometry), firstRow: row))
            }
            ops[ops.count - 1].blocks.append(block)
        }
        return ops
    }
}
