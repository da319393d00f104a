import Foundation
import GRDB
import KHOABI

/// A copy of memory the ledger keeps beside its pages: a `chunk` row's bytes
/// (its page as of the preservation or restore), an outgoing `subtree`'s
/// blob (as of its adding) or a generation's `root_fdt` (its FDT page as of
/// its kexec). Each must equal the pages it was taken from.
public struct StoredCopy: Equatable, Sendable {
    /// The copy in words: `chunk 0 of area state (object 3)`.
    public let what: String
    /// The name of what took it (an area, a subtree, `root FDT`).
    public let subject: String
    /// The operation that took it.
    public let seq: Int64
    public let generation: Int64
    /// The lineage whose pages it was taken from.
    public let lineage: Int64
    public let geometry: PageGeometry
    /// Where it was taken from; the copy ends below 2^64.
    public let phys: UInt64
    public let bytes: Data

    /// The copy a row of one of ``sources`` describes: `copy` reads the
    /// columns of the table holding the copy, `owner` those of the row
    /// that took it, `memory` those of its generation.
    private init(copy: LedgerRow<Row>, owner: LedgerRow<Row>, memory: LedgerRow<Row>) throws(CorruptRow) {
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

    /// Calls `body` with every stored copy: chunks, then subtree blobs, then root FDTs.
    public static func forEach(_ snapshot: LedgerSnapshot, _ body: (StoredCopy) throws -> Void) throws {
        for source in sources {
            let copies = try Row.fetchCursor(snapshot.db, sql: source.sql).map { row in
                try StoredCopy(copy: LedgerRow(row, table: source.copy.table, key: source.copy.key),
                               owner: LedgerRow(row, table: source.owner.table, key: source.owner.key),
                               memory: LedgerRow(row, table: "generation", key: "generation"))
            }
            while let copy = try copies.next() { try body(copy) }
        }
    }
}
