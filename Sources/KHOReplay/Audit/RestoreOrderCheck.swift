import KHOLedger
import KHOABI

/// `restore-order-mismatch`: a `kho_restore_vmalloc` took a block whose head
/// page was preserved at a smaller order: the block was tracked as smaller
/// pieces (for example split at a NUMA node boundary by the 7.1+ preserve,
/// which restores do not split). The kernel checks only the head page's
/// KHO magic, so the restore succeeds; the pieces after the first keep their
/// magic and stay reserved.
struct RestoreOrderCheck: AuditCheck {
    let codes: Set<AuditCode> = [.restoreOrderMismatch]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let pieces = try scope.read { snapshot in try RestoredPiece.fetchAll(snapshot, through: scope.end, generation: scope.generation) }
        return Dictionary(grouping: pieces, by: \.seq).sorted(by: { $0.key < $1.key }).compactMap { seq, blocks in
            guard let first = blocks.first else { return nil }
            let name = first.subject ?? "?"
            return AuditFinding(
                .restoreOrderMismatch, seq: seq, generation: first.generation, subject: name,
                message: "restore of \"\(name)\" took \(blocks.count) order-\(first.restoredOrder) block(s) tracked as smaller pieces, first "
                    + "\(hex(first.phys)) preserved at order \(first.storedOrder): the kernel restores on the head page's "
                    + "magic alone and the other pieces stay reserved")
        }
    }
}
