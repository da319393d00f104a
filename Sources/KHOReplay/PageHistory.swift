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
    public typealias Action = PageOperation.Action
    /// One operation's effect on the page.
    public typealias Operation = PageOperation
    /// A block of the tracker that held the page as of the point.
    public typealias Preserved = CoveringBlock

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
            read = try ledger.asOfRead { snapshot in try PageHistory.read(snapshot, page: address, seq: seq) }
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
    private static func read(_ snapshot: LedgerSnapshot, page address: PageAddress, seq: Int64) throws -> Result<PageHistory, PageHistoryError> {
        let point = try OperationGeneration(snapshot, seq: seq)
        let page: UInt64
        do {
            page = try address.page(in: point.geometry)
        } catch {
            return .failure(error)
        }
        guard page >= point.memory.base, page - point.memory.base < point.memory.size else {
            return .failure(.outsideMemory(page: address, phys: page, generation: point.generation, memory: point.memory))
        }
        let contents: [Content]
        let writes: [Operation]
        do {
            (contents, writes) = try contentHistory(snapshot, page: page, lineage: point.lineage)
        } catch let error as MemoryViewError {
            return .failure(.memory(error))
        }
        let holders = try PageOwner.fetchAll(snapshot, page: page, generation: point.generation, seq: seq, pageSize: point.geometry.pageSize)
        let operations = try PageRecords.trackerOperations(snapshot, page: page, lineage: point.lineage, geometry: point.geometry) + writes
        let preserved = try PageRecords.preservedBlocks(snapshot, page: page, generation: point.generation, seq: seq, geometry: point.geometry)
        return .success(PageHistory(page: page, point: point, holders: holders, preserved: preserved,
                                    operations: inSeqOrder(operations), contents: contents))
    }

    /// The operations by seq; those of one seq keep their order (tracker
    /// changes before content).
    private static func inSeqOrder(_ operations: [Operation]) -> [Operation] {
        operations.enumerated().sorted { ($0.element.seq, $0.offset) < ($1.element.seq, $1.offset) }.map(\.element)
    }

    /// The page's `page_content` intervals (each stored copy checked against
    /// its hash; the first that fails throws ``MemoryViewError/alteredPage(phys:seq:dataID:)``),
    /// and the operations that wrote or cleared it.
    private static func contentHistory(_ snapshot: LedgerSnapshot, page: UInt64, lineage: Int64) throws -> ([Content], [Operation]) {
        var contents: [Content] = []
        var operations: [Operation] = []
        for record in try PageRecords.contents(snapshot, page: page, lineage: lineage) {
            guard record.stored.isIntact else { throw MemoryViewError.alteredPage(phys: page, seq: record.fromSeq, dataID: record.stored.id) }
            contents.append(Content(fromSeq: record.fromSeq, untilSeq: record.untilSeq, sha256: hexDigits(record.stored.hash),
                                    bytes: record.stored.bytes))
            operations.append(record.write)
            if let clear = record.clear { operations.append(clear) }
        }
        return (contents, operations)
    }
}
