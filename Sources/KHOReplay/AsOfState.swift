import Crypto
import Foundation
import GRDB
import KHOABI
import KHOLedger

/// What a ledger says was true right after one operation: the preserved
/// blocks of that operation's generation, its vmalloc areas and other
/// objects, the root FDT's subtrees, and byte totals.
///
/// Read from the interval tables (`preserved_run`, `object`, `subtree`,
/// whose rows hold over `[from_seq, to_seq)`) in one read transaction, with
/// index range scans over the point's generation only; nothing is replayed.
/// At a `kexec` operation the state is the handover itself (the outgoing
/// generation's rows are closed one seq later).
public struct AsOfState: Equatable, Sendable {
    /// A vmalloc area: preserved (with the descriptor it was preserved into)
    /// or rebuilt by a restore (with the descriptor it was restored from).
    public struct Area: Equatable, Sendable {
        /// The ledger's `object.id`.
        public var objectID: Int64
        /// ``ObjectKind/vmalloc`` or ``ObjectKind/restoredVmalloc``.
        public var kind: ObjectKind
        public var name: String
        /// Where the 16-byte `kho_vmalloc` descriptor lives.
        public var descriptorPhys: UInt64
        /// The descriptor's `first`.
        public var firstChunk: UInt64
        /// The descriptor's `total_pages`.
        public var totalPages: UInt64
        /// The descriptor's `order`.
        public var order: Int
        /// The descriptor's `flags`.
        public var flags: UInt16
        /// Chunk pages recorded for the area.
        public var chunks: Int
        /// The operation that preserved or restored it.
        public var fromSeq: Int64
    }

    /// A preserved or restored folio, page range or `kho_alloc_preserve` blob.
    public struct Object: Equatable, Sendable {
        /// The ledger's `object.id`.
        public var objectID: Int64
        public var kind: ObjectKind
        public var name: String
        /// Physical address of its first block.
        public var phys: UInt64
        /// Base pages it covers.
        public var totalPages: UInt64
        /// The operation that preserved or restored it.
        public var fromSeq: Int64
    }

    /// A subnode of the root FDT.
    public struct Subtree: Equatable, Sendable {
        /// Added by this generation, or found in the FDT the previous one handed over.
        public enum Direction: String, Codable, Sendable {
            case outgoing = "out"
            case incoming = "in"
        }

        public var direction: Direction
        public var name: String
        /// The blob's address.
        public var phys: UInt64
        /// `blob-size` (kho-v3 and later).
        public var size: UInt64?
        /// Lowercase hex SHA-256 of the blob's bytes as recorded when the
        /// subtree was added; nil when none were recorded (incoming subtrees).
        public var blobSHA256: String?
        /// The operation that added or found it.
        public var fromSeq: Int64
    }

    /// The operation the state follows.
    public let seq: Int64
    /// That operation's generation.
    public let generation: Int64
    /// The cold boot the generation descends from (page contents are per lineage).
    public let lineage: Int64
    /// The generation's page geometry.
    public let geometry: PageGeometry
    /// The kernel release the generation's machine followed (nil for
    /// imports, traces and ledgers made before releases were modelled).
    public let kernel: KernelRelease?
    /// The generation's handover ABI (a kho-v1 generation of unknown release
    /// reads as v1b).
    public let abi: ABIGeneration
    public var memoryBase: UInt64 { memory.base }
    /// Bytes of RAM (from the generation row).
    public var memorySize: UInt64 { memory.size }
    /// The generation's memory, checked.
    public let memory: GenerationMemory
    /// Every preserved block, sorted by address then order.
    public let preserved: [PreservedBlock]
    /// vmalloc areas, in the order they were preserved or restored.
    public let areas: [Area]
    /// Every other object, in the order it was preserved or restored.
    public let objects: [Object]
    /// Subtrees, outgoing and incoming, in the order they were added or found.
    public let subtrees: [Subtree]

    /// Bytes in preserved blocks.
    public var preservedBytes: UInt64 { preserved.reduce(0) { $0 + geometry.bytes(order: $1.order) } }
    /// Bytes of RAM outside preserved blocks (zero when the blocks cover more than RAM).
    public var unpreservedBytes: UInt64 { memorySize - min(memorySize, preservedBytes) }
    /// Bytes of vmalloc areas (`total_pages` × page size).
    public var areaBytes: UInt64 { areas.reduce(0) { $0 + $1.totalPages * UInt64(geometry.pageSize) } }
    /// Bytes of the other objects.
    public var objectBytes: UInt64 { objects.reduce(0) { $0 + $1.totalPages * UInt64(geometry.pageSize) } }
    /// The KHO page metadata a kernel booted from this state's handover
    /// holds: what its restores check.
    public var heads: PreservedHeads {
        PreservedHeads(tracker: preserved, geometry: geometry, abi: abi, maxPageOrder: geometry.maxPageOrder)
    }

    /// The preserved blocks as runs of contiguous blocks of one order.
    public var preservedRuns: [BlockRun] { BlockRun.runs(of: preserved, geometry: geometry) }
}

extension AsOfState {
    /// The state of `ledger` right after operation `seq`.
    public init(ledger: Ledger, seq: Int64) throws(ReplayError) {
        self = try ledger.asOfRead { db in try AsOfState(db, seq: seq) }
    }


    init(_ db: Database, seq: Int64) throws {
        let point = try OperationGeneration(db, seq: seq)
        self.seq = seq
        generation = point.generation
        lineage = point.lineage
        geometry = point.geometry
        kernel = point.kernel
        abi = point.abi
        memory = point.memory
        func holding(_ table: String) -> (sql: String, arguments: [Int64?]) {
            IntervalFork.rowsHolding(in: table, generation: point.generation, seq: seq)
        }
        preserved = try Self.preservedBlocks(db, IntervalFork.select("id, phys, ord, count", from: "preserved_run",
                                                                     generation: point.generation, seq: seq),
                                             geometry: point.geometry, memory: point.memory)
        (areas, objects) = try Self.objects(db, holding("object"), geometry: point.geometry)
        let subtreeRows = holding("subtree")
        subtrees = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, direction, name, phys, size, blob, from_seq FROM subtree WHERE \(subtreeRows.sql) ORDER BY id
            """), arguments: StatementArguments(subtreeRows.arguments)).map(Self.subtree)
    }

    private static func preservedBlocks(_ db: Database, _ runs: (sql: String, arguments: [Int64?]),
                                        geometry: PageGeometry, memory: GenerationMemory) throws -> [PreservedBlock] {
        var blocks: [PreservedBlock] = []
        // Integer columns in place: an answer reads up to millions of rows.
        try db.cachedStatement(sql: runs.sql).forEachRow(integers: runs.arguments) { columns in
            blocks += try LedgerRow(columns, table: "preserved_run").run(phys: 1, order: 2, count: 3, geometry: geometry, memory: memory)
                .blocks(geometry)
        }
        return blocks.sorted()
    }

    private static func objects(_ db: Database, _ holding: (sql: String, arguments: [Int64?]),
                                geometry: PageGeometry) throws -> ([Area], [Object]) {
        var areas: [Area] = []
        var objects: [Object] = []
        // Columns read in place, in the SELECT's order: an answer reads thousands of rows.
        try db.cachedStatement(sql: """
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
                objects.append(Object(objectID: id, kind: kind, name: name, phys: try row.optionalAddress(10) ?? 0,
                                      totalPages: totalPages, fromSeq: fromSeq))
                return
            }
            guard let descriptor = try row.optionalAddress(4) else { throw row.corrupt(4, expected: "the address of a vmalloc descriptor") }
            areas.append(Area(objectID: id, kind: kind, name: name, descriptorPhys: descriptor,
                              firstChunk: try row.address(5), totalPages: totalPages,
                              order: try row.order(8, geometry: geometry),
                              flags: UInt16(truncatingIfNeeded: try row.integer(7, in: 0 ... Int64(UInt16.max), expected: "16-bit vmalloc flags")),
                              chunks: Int(try row.integer(9)), fromSeq: fromSeq))
        }
        return (areas, objects)
    }

    private static func subtree(_ columns: Row) throws -> Subtree {
        let row = LedgerRow(columns, table: "subtree")
        return Subtree(direction: try row.text("direction", as: Subtree.Direction.self), name: try row.text("name"), phys: try row.address("phys"),
                       size: try row.optionalAddress("size"),
                       blobSHA256: try row.optionalBlob("blob").map { hexDigits(SHA256.hash(data: $0)) },
                       fromSeq: try row.integer("from_seq"))
    }
}
