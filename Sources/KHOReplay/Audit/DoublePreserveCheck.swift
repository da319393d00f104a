import KHOLedger

/// `double-preserve`: a successful preserve adds a block the tracker
/// already holds at that order. The kernel sets a bit that is already set
/// and returns 0; nothing counts owners, so the first unpreserve drops the
/// block for every caller.
struct DoublePreserveCheck: AuditCheck {
    let codes: Set<AuditCode> = [.doublePreserve]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let layouts = scope.layouts
        let doubles = try scope.read { snapshot in try DoublePreserve.fetchAll(snapshot, through: scope.end, generation: scope.generation, layouts: layouts) }
        return try AuditedOp.grouping(doubles, in: scope, block: \.add).map { op in
            AuditFinding(.doublePreserve, seq: op.seq, generation: op.generation, subject: op.subject,
                         message: "\(op.kind) of \(op.blocks.description): already preserved (by seq \(op.first.previousSeq))")
        }
    }
}
