import KHOABI
import KHOLedger

/// The bytes that differ between the two points of a ``GenerationDiff``,
/// as runs: for each changed page of a paired vmalloc area (by page index)
/// and, unless one area is asked for, for each preserved page outside the
/// second point's areas whose content differs (by physical address).
///
/// Within a page, differing bytes separated by fewer than
/// ``ByteDiff/mergeGap`` equal bytes form one run, so a hexdump of the run
/// reads as one change. Every page is read through a ``MemoryView``, which
/// verifies its stored bytes.
public struct ByteDiff: Equatable, Sendable {
    /// One run of differing bytes.
    public struct Run: Equatable, Sendable {
        /// The area the bytes belong to; nil for preserved memory outside areas.
        public var area: String?
        /// The run's offset in the area (page index × page size + offset in
        /// the page); nil outside areas.
        public var offset: UInt64?
        /// Where the bytes lay at the first point; nil when the area had no
        /// page at this index then (it grew).
        public var fromPhys: UInt64?
        /// Where they lie at the second point; nil when the area has no page
        /// at this index any more (it shrank).
        public var toPhys: UInt64?
        /// The bytes at the first point (empty when `fromPhys` is nil).
        public var old: [UInt8]
        /// The bytes at the second point (empty when `toPhys` is nil).
        public var new: [UInt8]

        /// Bytes the run spans.
        public var length: Int { max(old.count, new.count) }
    }

    /// Equal bytes shorter than this between two differing bytes do not split a run.
    public static let mergeGap = 16

    /// The runs: areas in the diff's pairing order, pages ascending, then
    /// memory outside areas by address.
    public let runs: [Run]

    /// Bytes that differ (equal bytes inside a run not counted).
    public let changedBytes: Int
}

extension GenerationDiff {
    /// The differing bytes of this diff, whose first point was read from
    /// `ledger` and second from `otherLedger` (default: the same ledger).
    /// With `area`, only that area's pages (it must be present at both
    /// points).
    public func changedBytes(ledger: Ledger, otherLedger: Ledger? = nil, area: String? = nil) throws(ReplayError) -> ByteDiff {
        let second = otherLedger ?? ledger
        let pairs = pairedAreas.filter { area == nil || $0.from.name == area || $0.to.name == area }
        if let area, pairs.isEmpty {
            if let only = addedAreas.first(where: { $0.name == area }) ?? removedAreas.first(where: { $0.name == area }) {
                let side = addedAreas.contains(only) ? "the second" : "the first"
                throw .notFound("area \(area) exists only at \(side) point: --bytes compares an area present at both")
            }
            let names = Set((from.areas + to.areas).map(\.name)).sorted()
            throw .notFound("no area \(area) at either point" + (names.isEmpty ? "" : "; areas: " + names.joined(separator: ", ")))
        }
        let changedPairs = pairs.filter { !$0.changedPages.isEmpty }
        let oldPages = try ledger.asOfRead { snapshot in
            try changedPairs.map { try ObjectPages(objectID: $0.from.objectID, at: DiffSide(snapshot, from)).phys }
        }
        let (newPages, areaPages) = try second.asOfRead { snapshot in
            let changed = try changedPairs.map { try ObjectPages(objectID: $0.to.objectID, at: DiffSide(snapshot, to)).phys }
            let all = area != nil ? [] : try to.areas.flatMap { try ObjectPages(objectID: $0.objectID, at: DiffSide(snapshot, to)).phys }
            return (changed, Set(all))
        }
        var reader = try PagePairReader(ledger: ledger, from: from, otherLedger: second, to: to)
        var runs: [ByteDiff.Run] = []
        // A restored area and its preserved namesake share their frames: each page pair once.
        var compared: Set<[UInt64?]> = []
        for (index, change) in changedPairs.enumerated() {
            for range in change.changedPages {
                for page in range.first ..< range.first + range.count {
                    let old = page < oldPages[index].count ? oldPages[index][page] : nil
                    let new = page < newPages[index].count ? newPages[index][page] : nil
                    guard compared.insert([old, new, UInt64(page)]).inserted else { continue }
                    runs += try reader.runs(old: old, new: new, area: change.to.name,
                                            offset: UInt64(page) * UInt64(to.geometry.pageSize))
                }
            }
        }
        if area == nil {
            let pageSize = UInt64(to.geometry.pageSize)
            for range in changedContent {
                for pfn in range.first ..< range.first + range.count where !areaPages.contains(UInt64(pfn) * pageSize) {
                    runs += try reader.runs(old: UInt64(pfn) * pageSize, new: UInt64(pfn) * pageSize, area: nil, offset: nil)
                }
            }
        }
        return ByteDiff(runs: runs, changedBytes: reader.changedBytes)
    }
}

/// Reads one page at each point and cuts their differences into runs.
private struct PagePairReader {
    let old: MemoryView
    let new: MemoryView
    let pageSize: Int
    private(set) var changedBytes = 0

    init(ledger: Ledger, from: AsOfState, otherLedger: Ledger, to: AsOfState) throws(ReplayError) {
        do {
            old = try MemoryView(ledger: ledger, lineage: from.lineage, seq: from.seq)
            new = try MemoryView(ledger: otherLedger, lineage: to.lineage, seq: to.seq)
        } catch {
            throw .memory(error)
        }
        pageSize = to.geometry.pageSize
    }

    /// The runs of one page pair; a missing side is one run of the whole page.
    mutating func runs(old oldPhys: UInt64?, new newPhys: UInt64?, area: String?, offset: UInt64?) throws(ReplayError) -> [ByteDiff.Run] {
        var a: [UInt8] = [], b: [UInt8] = []
        do {
            if let oldPhys { a = try old.read(oldPhys, count: pageSize) }
            if let newPhys { b = try new.read(newPhys, count: pageSize) }
        } catch {
            throw .memory(error)
        }
        func run(_ range: Range<Int>) -> ByteDiff.Run {
            ByteDiff.Run(area: area, offset: offset.map { $0 + UInt64(range.lowerBound) },
                         fromPhys: oldPhys.map { $0 + UInt64(range.lowerBound) }, toPhys: newPhys.map { $0 + UInt64(range.lowerBound) },
                         old: a.isEmpty ? [] : Array(a[range]), new: b.isEmpty ? [] : Array(b[range]))
        }
        guard !a.isEmpty, !b.isEmpty else {
            changedBytes += pageSize
            return [run(0 ..< pageSize)]
        }
        var ranges: [Range<Int>] = []
        var i = 0
        while i < pageSize {
            guard a[i] != b[i] else { i += 1; continue }
            var end = i + 1
            while end < pageSize, a[end] != b[end] { end += 1 }
            changedBytes += end - i
            if let last = ranges.last, i - last.upperBound < ByteDiff.mergeGap {
                ranges[ranges.count - 1] = last.lowerBound ..< end
            } else {
                ranges.append(i ..< end)
            }
            i = end
        }
        return ranges.map(run)
    }
}
