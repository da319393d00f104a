import KHOLedger
import KHOABI

/// `leak`: blocks a generation handed over that the next generation never
/// restored (no restore of any of its operations consumed the block's KHO
/// magic). The next kernel keeps them reserved and nobody owns them. The
/// rule is the ledger's view `v_handed_over` (migration 0006), which
/// `Reports/leaks.sql` reads too; its definition is checked first
/// (``ViewCheck``), so a replaced view is refused, not believed.
///
/// Checked only for a generation that kexec'd into a child present in the
/// audited scope; a claim after the audited point does not count.
struct LeakCheck: AuditCheck {
    let codes: Set<AuditCode> = [.leak]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        try scope.requireIntactView("v_handed_over")
        var findings: [AuditFinding] = []
        for handover in scope.handovers {
            guard handover.isKexec, let child = handover.child else { continue }
            let (blocks, owner) = try scope.read { snapshot in
                var blocks = AuditBlocks(geometry: handover.geometry)
                for block in try HandedOverBlocks.fetchUnclaimed(snapshot, generation: handover.generation, through: scope.end,
                                                                 geometry: handover.geometry) {
                    blocks.append(block)
                }
                guard let first = blocks.first else { return (blocks, nil as String?) }
                return (blocks, try PageOwner.fetchOne(snapshot, page: first.phys, generation: handover.generation, seq: handover.seq,
                                                       pageSize: handover.geometry.pageSize)?.name)
            }
            guard let first = blocks.first else { continue }
            findings.append(AuditFinding(
                .leak, seq: handover.seq, generation: handover.generation, subject: owner ?? hex(first.phys),
                message: "generation \(handover.generation) handed over \(blocks.description)"
                    + (owner.map { " (of \"\($0)\")" } ?? "") + " that generation \(child) never restored"))
        }
        return findings
    }
}
