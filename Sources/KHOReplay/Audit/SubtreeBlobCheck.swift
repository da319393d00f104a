import GRDB
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
            for pages in Dictionary(grouping: rows, by: { $0["id"] as Int64 }).sorted(by: { $0.key < $1.key }).map(\.value) {
                let missing = pages.filter { $0["unpreserved"] as Bool }
                guard let first = missing.first else { continue }
                let name: String = first["name"]
                let blob = UInt64(bitPattern: first["blob"])
                let bytes: Int64 = first["bytes"]
                let added: Int64 = first["from_seq"]
                findings.append(AuditFinding(
                    .subtreeBlobUnpreserved, seq: handover.seq, generation: handover.generation, subject: name,
                    message: "subtree \"\(name)\" (added at seq \(added)) points at \(bytes) bytes at \(hex(blob)): "
                        + "\(missing.count) of \(pages.count) pages not preserved at the handover, first "
                        + hex(UInt64(bitPattern: first["phys"]))))
            }
        }
        return findings
    }
}
