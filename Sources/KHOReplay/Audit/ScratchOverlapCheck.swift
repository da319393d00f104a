import KHOLedger

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
                let added = try scope.read { snapshot in
                    try OpBlock.fetchAdded(snapshot, generation: handover.generation, through: scope.end, overlapping: area, layout: handover.layout)
                }
                findings += try AuditedOp.grouping(added, in: scope).map { op in
                    AuditFinding(.scratchOverlap, seq: op.seq, generation: op.generation, subject: op.subject,
                                 message: "\(op.kind) of \(op.blocks.description): inside scratch area \(area)")
                }
            }
        }
        return findings
    }
}
