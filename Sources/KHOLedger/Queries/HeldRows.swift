import Crypto
import GRDB
import KHOABI

/// The rows of one generation's interval tables (`preserved_run`, `object`,
/// `subtree`, whose rows hold over `[from_seq, to_seq)`) that hold right
/// after an operation, found through ``IntervalFork`` by index range scans
/// over that generation only: what an as-of answer is made of.
public enum HeldRows {
    /// Every block of the preserved runs and packed rows holding at `seq`,
    /// sorted by address then order; each row bound by the generation's
    /// `geometry` and `memory`.
    public static func preservedBlocks(_ snapshot: LedgerSnapshot, generation: Int64, seq: Int64,
                                       geometry: PageGeometry, memory: GenerationMemory) throws -> [PreservedBlock] {
        let runs = IntervalFork.select("id, phys, ord, count, blocks", from: "preserved_run", generation: generation, seq: seq)
        var blocks: [PreservedBlock] = []
        // Columns in place: an answer reads up to millions of rows.
        try snapshot.db.cachedStatement(sql: runs.sql).forEachRow(integers: runs.arguments) { columns in
            for run in try LedgerRow(columns, table: "preserved_run").layout(phys: 1, order: 2, count: 3, blocks: 4, geometry: geometry, memory: memory) {
                blocks += run.blocks(geometry)
            }
        }
        return blocks.sorted()
    }

    /// The vmalloc areas and the other objects holding at `seq`, each in
    /// the order it was preserved or restored (orders of `geometry`).
    public static func objects(_ snapshot: LedgerSnapshot, generation: Int64, seq: Int64,
                               geometry: PageGeometry) throws -> (areas: [HeldArea], objects: [HeldObject]) {
        let holding = IntervalFork.rowsHolding(in: "object", generation: generation, seq: seq)
        var areas: [HeldArea] = []
        var objects: [HeldObject] = []
        // Columns read in place, in the SELECT's order: an answer reads thousands of rows.
        try snapshot.db.cachedStatement(sql: """
            SELECT o.id, o.kind, o.name, o.from_seq, o.descriptor_phys, o.first_chunk, o.total_pages, o.flags, o.ord,
                   CASE WHEN o.descriptor_phys IS NOT NULL THEN (SELECT count(*) FROM chunk c WHERE c.object_id = o.id) END AS chunks,
                   e.phys
            FROM object o LEFT JOIN object_extent e ON e.object_id = o.id AND e.first_index = 0 AND o.descriptor_phys IS NULL
            WHERE o.\(holding.sql) ORDER BY o.id
            """).forEachRow(integers: holding.arguments) { columns in
            let row = LedgerRow(columns, table: "object")
            let id = try row.integer(0)
            let kind = try row.text(1, as: ObjectKind.self)
            let name = try row.text(2), fromSeq = try row.integer(3)
            let totalPages = try row.pageCount(6)
            guard kind.isArea else {
                objects.append(HeldObject(objectID: id, kind: kind, name: name, phys: try row.optionalAddress(10) ?? 0,
                                          totalPages: totalPages, fromSeq: fromSeq))
                return
            }
            guard let descriptor = try row.optionalAddress(4) else { throw row.corrupt(4, expected: "the address of a vmalloc descriptor") }
            areas.append(HeldArea(objectID: id, kind: kind, name: name, descriptorPhys: descriptor,
                                  firstChunk: try row.address(5), totalPages: totalPages,
                                  order: try row.order(8, geometry: geometry),
                                  flags: UInt16(truncatingIfNeeded: try row.integer(7, in: 0 ... Int64(UInt16.max), expected: "16-bit vmalloc flags")),
                                  chunks: Int(try row.integer(9)), fromSeq: fromSeq))
        }
        return (areas, objects)
    }

    /// The subtrees, outgoing and incoming, holding at `seq`, in the order
    /// they were added or found.
    public static func subtrees(_ snapshot: LedgerSnapshot, generation: Int64, seq: Int64) throws -> [HeldSubtree] {
        let holding = IntervalFork.rowsHolding(in: "subtree", generation: generation, seq: seq)
        return try Row.fetchAll(snapshot.db.cachedStatement(sql: """
            SELECT id, direction, name, phys, size, blob, from_seq FROM subtree WHERE \(holding.sql) ORDER BY id
            """), arguments: StatementArguments(holding.arguments)).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "subtree")
            return HeldSubtree(direction: try row.text("direction", as: HeldSubtree.Direction.self), name: try row.text("name"),
                               phys: try row.address("phys"), size: try row.optionalAddress("size"),
                               blobSHA256: try row.optionalBlob("blob").map { hexDigits(SHA256.hash(data: $0)) },
                               fromSeq: try row.integer("from_seq"))
        }
    }
}
