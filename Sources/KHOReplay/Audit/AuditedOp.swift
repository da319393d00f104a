import KHOABI
import KHOLedger

/// One audited operation with the blocks a check flagged in it: per-call
/// checks report one finding per operation, naming the first block and
/// how many there are.
struct AuditedOp<Flagged> {
    let seq: Int64
    let generation: Int64
    /// The op kind, e.g. `unpreserve_pages`.
    let kind: String
    /// The op's subject, else the address of its first flagged block.
    let subject: String
    /// The flagged blocks, in the op's order.
    var blocks: AuditBlocks
    /// What the check read of the first flagged block (for check-specific values).
    let first: Flagged

    /// Groups flagged blocks by op; `block` gives each one's op and block,
    /// and they come in seq order.
    static func grouping(_ flagged: [Flagged], in scope: AuditScope, block: (Flagged) -> OpBlock) throws(AuditError) -> [AuditedOp] {
        var ops: [AuditedOp] = []
        for item in flagged {
            let op = block(item)
            if ops.last?.seq != op.seq {
                ops.append(AuditedOp(seq: op.seq, generation: op.generation, kind: op.kind, subject: op.subject ?? hex(op.block.phys),
                                     blocks: AuditBlocks(geometry: try scope.geometry(of: op.generation)), first: item))
            }
            ops[ops.count - 1].blocks.append(op.block)
        }
        return ops
    }
}

extension AuditedOp where Flagged == OpBlock {
    /// Groups blocks by op.
    static func grouping(_ blocks: [OpBlock], in scope: AuditScope) throws(AuditError) -> [AuditedOp] {
        try grouping(blocks, in: scope) { $0 }
    }
}
