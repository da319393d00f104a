import Crypto
import Foundation
import GRDB
import KHOABI
import KHOLedger

/// Everything a ledger knows about one physical page of one machine (a
/// lineage): what held it as of a point, the block that preserved it then,
/// every operation that preserved, unpreserved, restored or wrote it, and
/// its content over time.
///
/// Read in one read transaction, every lookup by the page's address through
/// an index (``CoveringRuns`` for the run-length tables, the primary key of
/// `page_content`): the cost grows with what the page went through, not
/// with the ledger. Every stored copy of the page is checked against the
/// SHA-256 it is stored under, as ``MemoryView`` reads do: an altered one
/// fails the read (``PageHistoryError/memory(_:)``).
public struct PageHistory: Equatable, Sendable {
    /// What an operation did to the page.
    public enum Action: String, Codable, Sendable {
        /// A block covering the page was added to the tracker.
        case preserve
        /// A block covering the page was removed from the tracker.
        case unpreserve
        /// A restore consumed a block covering the page.
        case restore
        /// The page got new non-zero content.
        case write
        /// The page became zero: a zero-filled allocation, or the scrub of
        /// memory nobody handed over at a KHO boot.
        case clear
    }

    /// One operation's effect on the page.
    public struct Operation: Equatable, Sendable {
        public var seq: Int64
        public var generation: Int64
        public var time: String
        /// The op's kind (`preserve_folio`, `kexec`, …).
        public var kind: String
        public var subject: String?
        public var action: Action
        /// The tracker block that covered the page (tracker actions).
        public var block: PreservedBlock?
        /// Lowercase hex SHA-256 of the content written (``Action/write``).
        public var sha256: String?
    }

    /// The page's content over `[fromSeq, untilSeq)`; outside every such
    /// interval the page is zero.
    public struct Content: Equatable, Sendable {
        public var fromSeq: Int64
        /// Nil: still the content at the ledger's end.
        public var untilSeq: Int64?
        /// Lowercase hex SHA-256, checked against the stored bytes.
        public var sha256: String
        /// The stored bytes.
        public var bytes: [UInt8]

        /// Whether this content is the page's right after `seq`.
        public func holds(at seq: Int64) -> Bool { fromSeq <= seq && untilSeq.map { seq < $0 } ?? true }
    }

    /// A block of the tracker that held the page as of the point.
    public struct Preserved: Equatable, Sendable {
        public var block: PreservedBlock
        /// The operation that preserved it.
        public var fromSeq: Int64
    }

    /// The page's address.
    public let page: UInt64
    /// The point: the state right after this operation.
    public let seq: Int64
    /// The point's generation.
    public let generation: Int64
    /// The machine the page belongs to (the generation of its cold boot).
    public let lineage: Int64
    public let geometry: PageGeometry
    /// What held the page as of the point (usually one owner; a restored
    /// area and its preserved namesake may share a page).
    public let holders: [PageOwner]
    /// The tracker blocks covering the page as of the point.
    public let preserved: [Preserved]
    /// Every operation of the lineage that touched the page, by seq.
    public let operations: [Operation]
    /// The page's non-zero contents, by seq.
    public let contents: [Content]

    /// The page frame number.
    public var frame: UInt64 { page >> UInt64(geometry.pageShift) }
    /// The page's content as of the point; nil for a zero page.
    public var contentAtPoint: Content? { contents.last { $0.holds(at: seq) } }
    /// False when nothing ever held, preserved, restored or wrote the page.
    public var isKnown: Bool { !holders.isEmpty || !operations.isEmpty }
    /// The generations the operations fall in, in order.
    public var generations: [Int64] { operations.map(\.generation).reduce(into: []) { if $0.last != $1 { $0.append($1) } } }

    /// The page `address` names, as of right after operation `seq`, with the
    /// page size of that operation's generation.
    public init(ledger: Ledger, page address: PageAddress, seq: Int64) throws(PageHistoryError) {
        let read: Result<PageHistory, PageHistoryError>
        do {
            read = try ledger.asOfRead { db in try PageHistory.read(db, page: address, seq: seq) }
        } catch {
            throw .replay(error)
        }
        self = try read.get()
    }

    private init(page: UInt64, point: OperationGeneration, holders: [PageOwner], preserved: [Preserved], operations: [Operation], contents: [Content]) {
        self.page = page
        seq = point.seq
        generation = point.generation
        lineage = point.lineage
        geometry = point.geometry
        self.holders = holders
        self.preserved = preserved
        self.operations = operations
        self.contents = contents
    }
}

extension PageHistory {
    /// Every query, in one read transaction; a page outside memory or a
    /// stored copy that fails its hash is the result's failure.
    private static func read(_ db: Database, page address: PageAddress, seq: Int64) throws -> Result<PageHistory, PageHistoryError> {
        let point = try OperationGeneration(db, seq: seq)
        let page: UInt64
        do {
            page = try address.page(in: point.geometry)
        } catch {
            return .failure(error)
        }
        guard page >= point.memory.base, page - point.memory.base < point.memory.size else {
            return .failure(.outsideMemory(page: address, phys: page, generation: point.generation, memory: point.memory))
        }
        let arguments: StatementArguments = ["page": Int64(bitPattern: page), "page_size": point.geometry.pageSize,
                                             "generation": point.generation, "seq": seq, "lineage": point.lineage]
        let contents: [Content]
        let writes: [Operation]
        do {
            (contents, writes) = try contentHistory(db, page: page, arguments: arguments)
        } catch let error as MemoryViewError {
            return .failure(.memory(error))
        }
        let holders = try PageOwner.all(page, generation: point.generation, seq: seq, pageSize: point.geometry.pageSize, db: db)
        let operations = try trackerOperations(db, geometry: point.geometry, arguments: arguments) + writes
        return .success(PageHistory(page: page, point: point, holders: holders,
                                    preserved: try preservedBlocks(db, geometry: point.geometry, arguments: arguments),
                                    operations: inSeqOrder(operations), contents: contents))
    }

    /// The tracker blocks of the point's generation covering `:page` at `:seq`.
    static let preservedQuery = """
        WITH RECURSIVE \(CoveringRuns.near("preserved_run", as: "run"))
        SELECT r.id, r.phys + (:page - r.phys) / (:page_size << r.ord) * (:page_size << r.ord) AS block, r.ord, r.from_seq FROM run r
        WHERE r.generation = :generation AND r.from_seq <= :seq AND (r.to_seq IS NULL OR r.to_seq > :seq)
          AND \(CoveringRuns.covers("r", pageSize: ":page_size"))
        ORDER BY r.from_seq, r.phys
        """

    /// The lineage's tracker changes covering `:page`, each with its covering block.
    static let trackerQuery = """
        WITH RECURSIVE \(CoveringRuns.near("op_change", as: "change"))
        SELECT c.seq, c.part, c.action, c.ord, c.phys + (:page - c.phys) / (g.page_size << c.ord) * (g.page_size << c.ord) AS block,
               o.generation, o.time, o.kind, o.subject
        FROM change c JOIN op o ON o.seq = c.seq JOIN generation g ON g.generation = o.generation
        WHERE g.lineage = :lineage AND \(CoveringRuns.covers("c", pageSize: "g.page_size"))
        ORDER BY c.seq, c.part
        """

    /// The page's content intervals with their stored bytes and the operations at their ends.
    static let contentQuery = """
        SELECT c.lineage, c.phys, c.from_seq, c.to_seq, d.id, d.hash, d.bytes, f.seq, f.generation, f.time, f.kind, f.subject,
               u.generation AS until_generation, u.time AS until_time, u.kind AS until_kind, u.subject AS until_subject
        FROM page_content c JOIN page_data d ON d.id = c.data_id JOIN op f ON f.seq = c.from_seq LEFT JOIN op u ON u.seq = c.to_seq
        WHERE c.lineage = :lineage AND c.phys = :page
        ORDER BY c.from_seq
        """

    /// The operations by seq; those of one seq keep their order (tracker
    /// changes before content).
    private static func inSeqOrder(_ operations: [Operation]) -> [Operation] {
        operations.enumerated().sorted { ($0.element.seq, $0.offset) < ($1.element.seq, $1.offset) }.map(\.element)
    }

    /// The tracker blocks covering the page as of the point.
    private static func preservedBlocks(_ db: Database, geometry: PageGeometry, arguments: StatementArguments) throws -> [Preserved] {
        try Row.fetchAll(db.cachedStatement(sql: preservedQuery), arguments: arguments).map { columns in
            let row = LedgerRow(columns, table: "preserved_run")
            let order = try row.order("ord", geometry: geometry)
            return Preserved(block: PreservedBlock(phys: try row.address("block"), order: order), fromSeq: try row.integer("from_seq"))
        }
    }

    /// Every tracker change of the lineage covering the page: `op_change`
    /// rows, each with the one block of its run that covers the page.
    private static func trackerOperations(_ db: Database, geometry: PageGeometry, arguments: StatementArguments) throws -> [Operation] {
        try Row.fetchAll(db.cachedStatement(sql: trackerQuery), arguments: arguments).map { columns in
            let change = LedgerRow(columns, table: "op_change", key: "seq, part"), op = LedgerRow(columns, table: "op", key: "seq")
            let action: Action = switch try change.text("action") {
            case "add": .preserve
            case "remove": .unpreserve
            case "restore": .restore
            default: throw change.corrupt("action", expected: "add, remove or restore")
            }
            let order = try change.order("ord", geometry: geometry)
            return Operation(seq: try change.integer("seq"), generation: try op.integer("generation"), time: try op.text("time"),
                             kind: try op.text("kind"), subject: try op.optionalText("subject"), action: action,
                             block: PreservedBlock(phys: try change.address("block"), order: order))
        }
    }

    /// The page's `page_content` intervals (each stored copy checked against
    /// its hash; the first that fails throws ``MemoryViewError/alteredPage(phys:seq:dataID:)``),
    /// and the operations that wrote or cleared it.
    private static func contentHistory(_ db: Database, page: UInt64, arguments: StatementArguments) throws -> ([Content], [Operation]) {
        var contents: [Content] = []
        var operations: [Operation] = []
        let rows = try Row.fetchAll(db.cachedStatement(sql: contentQuery), arguments: arguments)
        let starts = try rows.map { try LedgerRow($0, table: "page_content", key: "lineage, phys, from_seq").integer("from_seq") }
        for (position, columns) in rows.enumerated() {
            let content = LedgerRow(columns, table: "page_content", key: "lineage, phys, from_seq")
            let writer = LedgerRow(columns, table: "op", key: "seq"), clearer = LedgerRow(columns, table: "op", key: "to_seq")
            let stored = try StoredPage(LedgerRow(columns, table: "page_data"), at: 4)
            let from = starts[position], until = try content.optionalInteger("to_seq")
            guard stored.isIntact else { throw MemoryViewError.alteredPage(phys: page, seq: from, dataID: stored.id) }
            let sha256 = hexDigits(stored.hash)
            contents.append(Content(fromSeq: from, untilSeq: until, sha256: sha256, bytes: stored.bytes))
            operations.append(Operation(seq: from, generation: try writer.integer("generation"), time: try writer.text("time"),
                                        kind: try writer.text("kind"), subject: try writer.optionalText("subject"), action: .write, sha256: sha256))
            // An interval that ends where no other starts: the page became zero.
            if let until, position + 1 == rows.count || starts[position + 1] != until {
                operations.append(Operation(seq: until, generation: try clearer.integer("until_generation"), time: try clearer.text("until_time"),
                                            kind: try clearer.text("until_kind"), subject: try clearer.optionalText("until_subject"), action: .clear))
            }
        }
        return (contents, operations)
    }
}
