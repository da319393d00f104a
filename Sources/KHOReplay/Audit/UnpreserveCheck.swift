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
        let layouts = scope.layouts
        let removals = try scope.read { snapshot in
            try UnpreservedBlock.fetchAll(snapshot, through: scope.end, generation: scope.generation, layouts: layouts)
        }
        let unknown = try AuditedOp.grouping(removals.filter { $0.preservedBlock == nil }, in: scope, block: \.removal).map { op in
            AuditFinding(.unpreserveUnknown, seq: op.seq, generation: op.generation, subject: op.subject,
                         message: "\(op.kind) of \(op.blocks.description): not preserved (the kernel only warns)")
        }
        var mismatched: [AuditFinding] = []
        for op in try AuditedOp.grouping(removals.filter { $0.preservedBlock != nil }, in: scope, block: \.removal) {
            guard let preserved = op.first.preservedBlock else { continue }
            mismatched.append(AuditFinding(.unpreserveOrderMismatch, seq: op.seq, generation: op.generation, subject: op.subject,
                                           message: "\(op.kind) of \(op.blocks.description): those pages are preserved as "
                                               + "\(hex(preserved.phys)) order \(preserved.order), which stays preserved"))
        }
        return unknown + mismatched
    }
}
