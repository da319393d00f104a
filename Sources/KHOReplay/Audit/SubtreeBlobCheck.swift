import GRDB
import KHOLedger
import KHOABI

/// `subtree-blob-unpreserved`: at the handover, an outgoing subtree of the
/// root FDT points at a blob whose pages are not all preserved. The next
/// kernel finds the subtree and reads memory that was scrubbed or reused.
///
/// The blob is `blob-size` bytes (kho-v3 and later), else the bytes
/// recorded when it was added, else one byte (its first page); at most the
/// size of RAM is checked.
struct SubtreeBlobCheck: AuditCheck {
    let codes: Set<AuditCode> = [.subtreeBlobUnpreserved]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for handover in scope.handovers {
            let rows = try scope.read { db in
                try Row.fetchAll(db, sql: """
                    WITH RECURSIVE page(id, name, blob, bytes, from_seq, phys) AS (
                        SELECT id, name, phys, min(coalesce(size, length(blob), 1), :memory_size), from_seq, phys - phys % :page_size
                        FROM subtree
                        WHERE generation = :generation AND direction = 'out'
                          AND from_seq <= :point AND (to_seq IS NULL OR to_seq > :point)
                        UNION ALL
                        SELECT id, name, blob, bytes, from_seq, phys + :page_size FROM page WHERE phys + :page_size < blob + bytes
                    )
                    SELECT id, name, blob, bytes, from_seq, phys,
                           NOT EXISTS (SELECT 1 FROM preserved_run r
                                       WHERE r.generation = :generation AND r.from_seq <= :point
                                         AND (r.to_seq IS NULL OR r.to_seq > :point)
                                         AND r.phys <= page.phys AND page.phys < r.phys + r.count * (:page_size << r.ord)) AS unpreserved
                    FROM page ORDER BY id, phys
                    """, arguments: ["generation": handover.generation, "point": handover.seq,
                                     "page_size": handover.geometry.pageSize,
                                     "memory_size": Int64(bitPattern: handover.memory.size)])
            }
            let subtrees = rows.map { LedgerRow($0, table: "subtree") }
            var byID: [Int64: [LedgerRow<Row>]] = [:]
            for subtree in subtrees { byID[try scope.checked { () throws(CorruptRow) in try subtree.integer("id") }, default: []].append(subtree) }
            for pages in byID.sorted(by: { $0.key < $1.key }).map(\.value) {
                try scope.checked { () throws(CorruptRow) in
                    var missing: [LedgerRow<Row>] = []
                    for page in pages where try page.integer("unpreserved") != 0 { missing.append(page) }
                    guard let first = missing.first else { return }
                    let name = try first.text("name")
                    findings.append(AuditFinding(
                        .subtreeBlobUnpreserved, seq: handover.seq, generation: handover.generation, subject: name,
                        message: "subtree \"\(name)\" (added at seq \(try first.integer("from_seq"))) points at \(try first.integer("bytes")) bytes "
                            + "at \(hex(try first.address("blob"))): \(missing.count) of \(pages.count) pages not preserved at the handover, first "
                            + hex(try first.address("phys"))))
                }
            }
        }
        return findings
    }
}
