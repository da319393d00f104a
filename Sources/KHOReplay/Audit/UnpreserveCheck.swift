import GRDB
import KHOLedger
import KHOABI

/// `unpreserve-unknown` and `unpreserve-order-mismatch`: an unpreserve
/// removes a block the tracker does not hold at that order.
///
/// When a block of another order covers some of the same pages right
/// before the call, the unpreserve was meant for it but computed a
/// different order (the bug class of the May-2026 `kho_unpreserve_pages`
/// order fix): that block stays preserved and is handed over. Otherwise
/// nothing there was preserved; the kernel only warns.
struct UnpreserveCheck: AuditCheck {
    let codes: Set<AuditCode> = [.unpreserveUnknown, .unpreserveOrderMismatch]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        // Each removed block that was not preserved at its order, with the
        // run of another order preserved over its pages right before the
        // call (valid at seq - 1), if there is one.
        let rows = try scope.read { db in
            try Row.fetchAll(db, sql: TrackerHistory.blockEvents + """
                SELECT f.seq, f.part, f.generation, f.kind, f.subject, f.phys, f.ord, f.run_id, r.phys AS run_phys, r.ord AS run_ord
                FROM (
                    SELECT e.seq, e.part, e.i, e.generation, o.kind, o.subject, e.phys, e.ord,
                           (SELECT r.id FROM preserved_run r
                            WHERE r.generation = e.generation AND r.from_seq < e.seq AND (r.to_seq IS NULL OR r.to_seq >= e.seq)
                              AND r.ord <> e.ord AND r.phys < e.phys + e.size
                              AND e.phys < r.phys + r.count * (e.size >> e.ord << r.ord)
                            ORDER BY r.phys LIMIT 1) AS run_id
                    FROM block_event e JOIN op o ON o.seq = e.seq
                    WHERE e.action = 'remove' AND (e.previous IS NULL OR e.previous = 'remove')
                      AND o.kind IN (\(TrackerHistory.unpreserveKinds))
                ) f
                LEFT JOIN preserved_run r ON r.id = f.run_id
                ORDER BY f.seq, f.part, f.i
                """, arguments: scope.arguments)
        }
        let unknown = try AuditedOp.grouping(rows.filter { ($0["run_id"] as DatabaseValue).isNull }, in: scope).map { op in
            AuditFinding(.unpreserveUnknown, seq: op.seq, generation: op.generation, subject: op.subject,
                         message: "\(op.kind) of \(op.blocks.description): not preserved (the kernel only warns)")
        }
        var mismatched: [AuditFinding] = []
        for op in try AuditedOp.grouping(rows.filter { !($0["run_id"] as DatabaseValue).isNull }, in: scope) {
            guard let removed = op.blocks.first else { continue }
            let run = LedgerRow(op.firstRow, table: "preserved_run", key: "run_id")
            let (runPhys, order) = try scope.checked { () throws(CorruptRow) in
                (try run.address("run_phys"), try run.order("run_ord", geometry: op.blocks.geometry))
            }
            let runSize = op.blocks.geometry.bytes(order: order)
            let preserved = removed.phys > runPhys ? runPhys + (removed.phys - runPhys) / runSize * runSize : runPhys
            mismatched.append(AuditFinding(.unpreserveOrderMismatch, seq: op.seq, generation: op.generation, subject: op.subject,
                                           message: "\(op.kind) of \(op.blocks.description): those pages are preserved as "
                                               + "\(hex(preserved)) order \(order), which stays preserved"))
        }
        return unknown + mismatched
    }
}
