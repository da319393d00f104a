import GRDB
import KHOABI

/// `scratch-overlap`: a successful preserve adds a block that overlaps a
/// scratch area. The kernel refuses this only with
/// `CONFIG_KEXEC_HANDOVER_DEBUG` (the machine's `scratch_check`); the next
/// kernel allocates from scratch while it boots, so the preserved bytes can
/// be overwritten before anyone restores them.
///
/// The scratch areas come from the machine configuration stored with a
/// simulated generation; generations without one are not checked.
struct ScratchOverlapCheck: AuditCheck {
    let codes: Set<AuditCode> = [.scratchOverlap]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for handover in scope.handovers {
            guard let machine = handover.machine else { continue }
            for area in machine.scratchAreas(handover.geometry) {
                let rows = try scope.read { db in
                    try Row.fetchAll(db, sql: """
                        WITH RECURSIVE added(seq, part, generation, kind, subject, phys, ord, count, size, i) AS (
                            SELECT c.seq, c.part, o.generation, o.kind, o.subject, c.phys, c.ord, c.count, :page_size << c.ord, 0
                            FROM op o JOIN op_change c ON c.seq = o.seq
                            WHERE o.generation = :generation AND o.seq <= :end AND o.result = 'ok' AND c.action = 'add'
                              AND c.phys < :stop AND :start < c.phys + c.count * (:page_size << c.ord)
                            UNION ALL
                            SELECT seq, part, generation, kind, subject, phys, ord, count, size, i + 1 FROM added
                            WHERE i + 1 < count AND phys + (i + 1) * size < :stop
                        )
                        SELECT seq, generation, kind, subject, phys + i * size AS phys, ord FROM added
                        WHERE phys + i * size < :stop AND :start < phys + (i + 1) * size
                        ORDER BY seq, part, i
                        """, arguments: ["generation": handover.generation, "end": scope.end,
                                         "start": Int64(bitPattern: area.address), "stop": Int64(bitPattern: area.end),
                                         "page_size": handover.geometry.pageSize])
                }
                findings += try AuditedOp.grouping(rows, in: scope).map { op in
                    AuditFinding(.scratchOverlap, seq: op.seq, generation: op.generation, subject: op.subject,
                                 message: "\(op.kind) of \(op.blocks.description): inside scratch area \(area)")
                }
            }
        }
        return findings
    }
}
