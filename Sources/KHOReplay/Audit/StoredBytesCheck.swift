import Foundation
import GRDB
import KHOABI
import KHOLedger

/// `stored-bytes-altered`: bytes in the ledger file that are not what was
/// recorded. The hash chain covers each page's SHA-256, not the page bytes
/// stored under it; this check covers them:
///
/// - every `page_data` row's bytes must match their SHA-256;
/// - every copy of memory the ledger keeps beside its pages must equal the
///   pages it was taken from, as of the operation that took it: a `chunk`
///   row's bytes (its page as of the preservation or restore), an outgoing
///   `subtree`'s blob (as of its adding) and a generation's `root_fdt` (its
///   FDT page as of its kexec).
///
/// A copy over an altered page is reported once, as the page. Every row is
/// checked; a finding after the audited point, or in another generation than
/// the audited one, is not reported.
struct StoredBytesCheck: AuditCheck {
    let codes: Set<AuditCode> = [.storedBytesAltered]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let findings = try scope.read { db in
            let altered = try alteredPages(db)
            return try altered.map { try pageFinding($0, db) } + copyFindings(db, altered: Set(altered))
        }
        return findings.filter { $0.seq <= scope.end && (scope.generation ?? $0.generation) == $0.generation }
    }

    /// The ids of the `page_data` rows whose bytes do not match their hash.
    private func alteredPages(_ db: Database) throws -> [Int64] {
        var altered: [Int64] = []
        try db.makeStatement(sql: "SELECT id, hash, bytes FROM page_data ORDER BY id").forEachRow(integers: []) { row in
            let page = try MemoryView.StoredPage(LedgerRow(row, table: "page_data"))
            if !page.isIntact { altered.append(page.id) }
        }
        return altered
    }

    /// An altered `page_data` row, named by the first page that held it.
    private func pageFinding(_ id: Int64, _ db: Database) throws -> AuditFinding {
        let first = try Row.fetchOne(db, sql: """
            SELECT c.lineage, c.phys, c.from_seq, o.generation FROM page_content c JOIN op o ON o.seq = c.from_seq
            WHERE c.data_id = ? ORDER BY c.from_seq LIMIT 1
            """, arguments: [id]).map { LedgerRow($0, table: "page_content", key: "lineage, phys, from_seq") }
        guard let first else {
            return AuditFinding(.storedBytesAltered, seq: 0, generation: 0, subject: "page_data \(id)",
                                message: "page_data id \(id) (held by no page): its bytes do not match their SHA-256")
        }
        let phys = hex(try first.address("phys"))
        let seq = try first.integer("from_seq")
        return AuditFinding(.storedBytesAltered, seq: seq, generation: try first.integer("generation"), subject: phys,
                            message: "page_data id \(id), the page at \(phys) from seq \(seq): its bytes do not match their SHA-256")
    }

    /// One stored copy of memory: where it was taken from, when, and its bytes.
    private struct Copy {
        let what: String
        let subject: String
        let seq: Int64
        let generation: Int64
        let lineage: Int64
        let geometry: PageGeometry
        let phys: UInt64
        let bytes: Data

        /// The copy a row of one of ``sources`` describes: `copy` reads the
        /// columns of the table holding the copy, `owner` those of the row
        /// that took it, `memory` those of its generation.
        init(copy: LedgerRow<Row>, owner: LedgerRow<Row>, memory: LedgerRow<Row>) throws(CorruptRow) {
            what = try copy.text("what")
            bytes = try copy.blob("bytes")
            phys = try copy.address("phys")
            guard phys <= UInt64.max - UInt64(bytes.count) else { throw copy.corrupt("phys", expected: "a copy that ends below 2^64") }
            subject = try owner.text("name")
            seq = try owner.integer("seq")
            generation = try memory.integer("generation")
            lineage = try memory.integer("lineage")
            geometry = try memory.geometry("page_size")
        }
    }

    /// Where copies of memory are kept: the table and key of the copy and
    /// of the row that took it, and the statement that reads them with
    /// their generation.
    private static let sources: [(copy: (table: String, key: String), owner: (table: String, key: String), sql: String)] = [
        (("chunk", "object_id, idx"), ("object", "object_id"), """
            SELECT c.object_id, c.idx, 'chunk ' || c.idx || ' of area ' || o.name || ' (object ' || c.object_id || ')' AS what,
                   o.name, o.from_seq AS seq, o.generation, g.lineage, g.page_size, c.phys, c.bytes
            FROM chunk c JOIN object o ON o.id = c.object_id JOIN generation g ON g.generation = o.generation
            """),
        (("subtree", "id"), ("subtree", "id"), """
            SELECT s.id, 'the blob of subtree ' || s.name || ' (subtree ' || s.id || ')' AS what, s.name,
                   s.from_seq AS seq, s.generation, g.lineage, g.page_size, s.phys, s.blob AS bytes
            FROM subtree s JOIN generation g ON g.generation = s.generation WHERE s.blob IS NOT NULL
            """),
        (("generation", "generation"), ("generation", "generation"), """
            SELECT g.generation, 'the root FDT of generation ' || g.generation AS what, 'root FDT' AS name, g.kexec_seq AS seq,
                   g.lineage, g.page_size, g.fdt_phys AS phys, g.root_fdt AS bytes
            FROM generation g WHERE g.root_fdt IS NOT NULL AND g.fdt_phys IS NOT NULL AND g.kexec_seq IS NOT NULL
            """),
    ]

    /// The copies that differ from the (intact) pages they were taken from.
    private func copyFindings(_ db: Database, altered: Set<Int64>) throws -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for source in Self.sources {
            let copies = try Row.fetchCursor(db, sql: source.sql).map { row in
                try Copy(copy: LedgerRow(row, table: source.copy.table, key: source.copy.key),
                         owner: LedgerRow(row, table: source.owner.table, key: source.owner.key),
                         memory: LedgerRow(row, table: "generation", key: "generation"))
            }
            while let copy = try copies.next() {
                guard let memory = try memory(under: copy, db, altered: altered), memory != copy.bytes else { continue }
                let offset = zip(memory, copy.bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
                findings.append(AuditFinding(.storedBytesAltered, seq: copy.seq, generation: copy.generation, subject: copy.subject,
                                             message: "\(copy.what) at \(hex(copy.phys)) differs from the memory it was taken from "
                                                 + "at seq \(copy.seq), first at byte \(offset)"))
            }
        }
        return findings
    }

    /// The memory a copy was taken from, or nil when a page of it is altered
    /// (reported as the page).
    private func memory(under copy: Copy, _ db: Database, altered: Set<Int64>) throws -> Data? {
        let pageSize = copy.geometry.pageSize
        let mask = UInt64(pageSize - 1)
        let first = copy.phys & ~mask
        let end = copy.phys + UInt64(max(copy.bytes.count, 1))
        var bytes = Data()
        for page in stride(from: first, to: end, by: pageSize) {
            let stored = try MemoryView.storedPage(db, lineage: copy.lineage, phys: page, seq: copy.seq)
            if let stored, altered.contains(stored.id) { return nil }
            // A page is `pageSize` bytes as the generation row states it, whatever length was stored.
            let page = stored?.bytes.prefix(pageSize) ?? []
            bytes.append(contentsOf: page + [UInt8](repeating: 0, count: pageSize - page.count))
        }
        let start = Int(copy.phys - first)
        return bytes.subdata(in: start ..< start + copy.bytes.count)
    }
}
