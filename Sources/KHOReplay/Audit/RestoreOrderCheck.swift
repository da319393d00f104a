import GRDB
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
        let rows = try scope.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.seq, o.generation, o.subject, c.phys, c.ord AS stored, e.ord AS restored
                FROM op o
                JOIN generation g ON g.generation = o.generation
                JOIN object ob ON ob.from_seq = o.seq AND ob.kind = 'restored_vmalloc'
                JOIN object_extent e ON e.object_id = ob.id
                JOIN op_change c ON c.seq = o.seq AND c.action = 'restore'
                WHERE o.kind = 'restore_vmalloc' AND o.seq <= :end AND (:generation IS NULL OR o.generation = :generation)
                  AND c.ord < e.ord AND c.phys >= e.phys AND c.phys < e.phys + e.count * (g.page_size << e.ord)
                  AND (c.phys - e.phys) % (g.page_size << e.ord) = 0
                ORDER BY o.seq, c.phys
                """, arguments: scope.arguments)
        }
        var findings: [AuditFinding] = []
        let changes = rows.map { LedgerRow($0, table: "op_change", key: "seq") }
        var bySeq: [Int64: [LedgerRow<Row>]] = [:]
        for change in changes { bySeq[try scope.checked { () throws(CorruptRow) in try change.integer("seq") }, default: []].append(change) }
        for (seq, blocks) in bySeq.sorted(by: { $0.key < $1.key }) {
            guard let first = blocks.first else { continue }
            try scope.checked { () throws(CorruptRow) in
                let name = try first.optionalText("subject") ?? "?"
                let restored = try first.integer("restored"), stored = try first.integer("stored")
                findings.append(AuditFinding(
                    .restoreOrderMismatch, seq: seq, generation: try first.integer("generation"), subject: name,
                    message: "restore of \"\(name)\" took \(blocks.count) order-\(restored) block(s) tracked as smaller pieces, first "
                        + "\(hex(try first.address("phys"))) preserved at order \(stored): the kernel restores on the head page's "
                        + "magic alone and the other pieces stay reserved"))
            }
        }
        return findings
    }
}
