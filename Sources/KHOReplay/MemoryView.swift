import Foundation
import KHOABI
import KHOLedger

/// The physical memory of one lineage (one emulated machine, across its
/// kexecs) as it was right after operation `seq`, read from the ledger: a
/// page holds the `page_data` bytes of its `page_content` interval covering
/// `seq`, and is zero when no interval covers it.
///
/// Reads go through ``reader`` like any other memory, may span pages, and
/// are refused outside the lineage's RAM. Every page read is checked
/// against the SHA-256 its `page_data` row is stored under (once per
/// distinct row): bytes altered in the file fail the read
/// (``MemoryViewError/alteredPage(phys:seq:dataID:)``), they are never
/// returned. Each page costs one primary-key
/// lookup (never a replay); the last ``cacheCapacity`` pages read are kept,
/// so memory stays bounded whatever the size of the reads.
///
/// Pages listed in `pinned` are read as of their own seq instead, e.g. the
/// chunk pages of an area as `kho_restore_vmalloc` saw them before it freed
/// them.
public final class MemoryView {
    public let ledger: Ledger
    /// The generation of the cold boot whose machine this is.
    public let lineage: Int64
    /// The view shows memory right after this operation.
    public let seq: Int64
    public let geometry: PageGeometry
    /// Physical address of the first byte of RAM.
    public let memoryBase: UInt64
    /// Bytes of RAM.
    public let memorySize: UInt64
    /// Pages (by page address) read as of another seq.
    public let pinned: [UInt64: Int64]
    /// Pages kept in the cache at most.
    public let cacheCapacity: Int

    /// The read transaction of an ``inOneReadTransaction(_:)`` in progress.
    private var transaction: LedgerSnapshot?
    private var cache: [UInt64: [UInt8]] = [:]
    /// Cached page addresses in insertion order; the oldest is evicted first.
    private var cacheRing: [UInt64] = []
    private var ringNext = 0
    private let zeroPage: [UInt8]
    /// The `page_data` rows whose bytes matched their hash.
    private var verified: Set<Int64> = []

    /// A view of lineage `lineage` right after op `seq`; `cacheBytes` bounds the page cache.
    public init(ledger: Ledger, lineage: Int64, seq: Int64, pinned: [UInt64: Int64] = [:],
                cacheBytes: Int = 4 << 20) throws(MemoryViewError) {
        self.ledger = ledger
        self.lineage = lineage
        self.seq = seq
        self.pinned = pinned
        let layout = try Self.reading(ledger) { try ledger.read { try Lineages.layout($0, lineage: lineage) } }
        guard let layout else { throw .unknownLineage(lineage) }
        let (geometry, memory) = (layout.geometry, layout.memory)
        self.geometry = geometry
        memoryBase = memory.base
        memorySize = memory.size
        cacheCapacity = max(8, cacheBytes / geometry.pageSize)
        zeroPage = [UInt8](repeating: 0, count: geometry.pageSize)
    }

    /// A view of the machine that ran op `seq`, right after it.
    public convenience init(ledger: Ledger, seq: Int64) throws(MemoryViewError) {
        let lineage = try Self.reading(ledger) { try ledger.read { try Lineages.lineage(ofSeq: seq, $0) } }
        guard let lineage else { throw .unknownSeq(seq) }
        try self.init(ledger: ledger, lineage: lineage, seq: seq)
    }

    /// Runs `body` with every page it reads loaded inside one read
    /// transaction: all reads see the same ledger, and a walk of many pages
    /// does not pay for a transaction per page.
    public func inOneReadTransaction<T>(_ body: () throws -> T) throws -> T {
        try ledger.read { snapshot in
            transaction = snapshot
            defer { transaction = nil }
            return try body()
        }
    }

    /// Pages currently cached.
    public var cachedPages: Int { cache.count }

    /// This memory as a ``MemoryReader``.
    public var reader: MemoryReader {
        { [self] phys, count in try self.read(phys, count: count) }
    }

    /// Reads `count` bytes at `phys`, across pages as needed.
    public func read(_ phys: UInt64, count: Int) throws(MemoryViewError) -> [UInt8] {
        let (end, overflow) = phys.addingReportingOverflow(UInt64(max(count, 0)))
        guard count >= 0, !overflow, phys >= memoryBase, end <= memoryBase &+ memorySize else {
            throw .outsideMemory(phys: phys, count: count, base: memoryBase, size: memorySize)
        }
        let pageMask = UInt64(geometry.pageSize - 1)
        if phys & pageMask == 0, count == geometry.pageSize { return try page(phys) }
        let pages = count == 0 ? [] : Array(stride(from: phys & ~pageMask, through: (end - 1) & ~pageMask, by: geometry.pageSize))
        let contents = try load(pages)
        var result: [UInt8] = []
        result.reserveCapacity(count)
        var address = phys
        for (page, bytes) in zip(pages, contents) {
            let offset = Int(address - page)
            let taken = min(count - result.count, geometry.pageSize - offset)
            result += bytes[offset ..< offset + taken]
            address += UInt64(taken)
        }
        return result
    }

    /// One page-aligned page: the common read of a restore, kept free of
    /// the batching of ``load(_:)``.
    private func page(_ phys: UInt64) throws(MemoryViewError) -> [UInt8] {
        if let cached = cache[phys] { return cached }
        guard let snapshot = transaction else { return try load([phys])[0] }
        let bytes = try Self.reading(ledger) { try fetch(phys, snapshot) }
        try keep(phys, bytes)
        return bytes
    }

    /// The contents of page-aligned `pages`, from the cache or, for the
    /// rest, in one read transaction (the enclosing one, if any).
    private func load(_ pages: [UInt64]) throws(MemoryViewError) -> [[UInt8]] {
        var contents = pages.map { cache[$0] }
        let missing = contents.indices.filter { contents[$0] == nil }
        guard !missing.isEmpty else { return contents.map { $0! } }
        let fetchAll = { [self] (snapshot: LedgerSnapshot) throws -> [[UInt8]] in try missing.map { try fetch(pages[$0], snapshot) } }
        let fetched = try Self.reading(ledger) { try transaction.map(fetchAll) ?? ledger.read(fetchAll) }
        for (index, bytes) in zip(missing, fetched) {
            try keep(pages[index], bytes)
            contents[index] = bytes
        }
        return contents.map { $0! }
    }

    /// The bytes of the page at `phys` as of its seq: one primary-key
    /// lookup, and the first time a `page_data` row is read, its hash check.
    private func fetch(_ phys: UInt64, _ snapshot: LedgerSnapshot) throws -> [UInt8] {
        let asOf = pinned[phys] ?? seq
        guard let stored = try StoredPages.page(snapshot, lineage: lineage, phys: phys, seq: asOf) else { return zeroPage }
        if !verified.contains(stored.id) {
            guard stored.isIntact else { throw MemoryViewError.alteredPage(phys: phys, seq: asOf, dataID: stored.id) }
            verified.insert(stored.id)
        }
        return stored.bytes
    }

    /// Runs `body`; a ``MemoryViewError`` it throws passes through, any
    /// other error becomes ``MemoryViewError/ledger(_:)``
    /// (``LedgerError/init(reading:at:)``).
    private static func reading<T>(_ ledger: Ledger, _ body: () throws -> T) throws(MemoryViewError) -> T {
        do {
            return try body()
        } catch let error as MemoryViewError {
            throw error
        } catch {
            throw .ledger(LedgerError(reading: error, at: ledger.path))
        }
    }

    /// Checks a fetched page's size and caches it.
    private func keep(_ phys: UInt64, _ bytes: [UInt8]) throws(MemoryViewError) {
        guard bytes.count == geometry.pageSize else {
            throw .malformedPage(phys: phys, seq: pinned[phys] ?? seq, bytes: bytes.count, pageSize: geometry.pageSize)
        }
        remember(phys, bytes)
    }

    /// Caches a page, evicting the oldest one when full.
    private func remember(_ phys: UInt64, _ bytes: [UInt8]) {
        guard cache[phys] == nil else { return }
        if cacheRing.count < cacheCapacity {
            cacheRing.append(phys)
        } else {
            cache[cacheRing[ringNext]] = nil
            cacheRing[ringNext] = phys
            ringNext = (ringNext + 1) % cacheCapacity
        }
        cache[phys] = bytes
    }
}
