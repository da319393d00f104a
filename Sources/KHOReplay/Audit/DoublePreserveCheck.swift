import GRDB
import KHOLedger
import KHOABI

/// `double-preserve`: a successful preserve adds a block the tracker
/// already holds at that order. The kernel sets a bit that is already set
/// and returns 0; nothing counts owners, so the first unpreserve drops the
/// block for every caller.
struct DoublePreserveCheck: AuditCheck {
    let codes: Set<AuditCode> = [.doublePreserve]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let rows = try scope.read { db in
            try Row.fetchAll(db, sql: TrackerHistory.blockEvents + """
                SELECT e.seq, e.part, e.generation, o.kind, o.subject, e.phys, e.ord, e.previous_seq
                FROM block_event e JOIN op o ON o.seq = e.seq
                WHERE e.action = 'add' AND e.previous = 'add' AND o.result = 'ok'
                ORDER BY e.seq, e.part, e.i
                """, arguments: scope.arguments)
        }
        return try AuditedOp.grouping(rows, in: scope).map { op throws(AuditError) in
            let since = try scope.checked { () throws(CorruptRow) in try LedgerRow(op.firstRow, table: "op_change", key: "seq, part").integer("previous_seq") }
            return AuditFinding(.doublePreserve, seq: op.seq, generation: op.generation, subject: op.subject,
                                message: "\(op.kind) of \(op.blocks.description): already preserved (by seq \(since))")
        }
    }
}
