import KHOABI
import KHOLedger

/// What differs between two points of a ledger, typically two handovers
/// (`gen:1` and `gen:2`): vmalloc areas, preserved blocks, subtrees and the
/// content of the preserved memory.
///
/// Areas of different generations are different objects; they are paired
/// by name (the same kind first, so a preserved area pairs with the
/// preserved one), then by descriptor address. Both states and every
/// comparison are read in one read transaction, by index range scans. The
/// two points may lie in two ledgers (a capture imported into another
/// file); page contents are then compared by SHA-256.
public struct GenerationDiff: Equatable, Sendable {
    /// A subtree present at both points whose address, size or recorded
    /// blob bytes differ.
    public struct SubtreeChange: Equatable, Sendable {
        public var from: AsOfState.Subtree
        public var to: AsOfState.Subtree
    }

    /// Blocks of one order added and removed.
    public struct OrderTotals: Equatable, Sendable {
        public var order: Int
        public var added: Int
        public var removed: Int
        public var addedBytes: UInt64
        public var removedBytes: UInt64
    }

    /// The first point.
    public let from: AsOfState
    /// The second point.
    public let to: AsOfState
    /// Areas only at the second point.
    public let addedAreas: [AsOfState.Area]
    /// Areas only at the first point.
    public let removedAreas: [AsOfState.Area]
    /// Every area present at both points, changed or not, in the first point's order.
    public let pairedAreas: [AreaChange]
    /// Blocks preserved at the second point only, sorted.
    public let addedBlocks: [PreservedBlock]
    /// Blocks preserved at the first point only, sorted.
    public let removedBlocks: [PreservedBlock]
    /// Subtrees (by direction and name) only at the second point.
    public let addedSubtrees: [AsOfState.Subtree]
    /// Subtrees only at the first point.
    public let removedSubtrees: [AsOfState.Subtree]
    public let changedSubtrees: [SubtreeChange]
    /// Page frame numbers of the pages preserved at the second point whose
    /// content differs from the same physical page's at the first point:
    /// what was written into the handed-over memory in between.
    public let changedContent: [IndexRange]

    /// Paired areas that differ.
    public var changedAreas: [AreaChange] { pairedAreas.filter { !$0.isUnchanged } }
    /// Paired areas that do not.
    public var unchangedAreas: [AreaChange] { pairedAreas.filter(\.isUnchanged) }

    /// Added and removed blocks per order, ascending.
    public var orderTotals: [OrderTotals] {
        let orders = Set(addedBlocks.map(\.order) + removedBlocks.map(\.order)).sorted()
        return orders.map { order in
            let added = addedBlocks.count { $0.order == order }
            let removed = removedBlocks.count { $0.order == order }
            let bytes = to.geometry.bytes(order: order)
            return OrderTotals(order: order, added: added, removed: removed,
                               addedBytes: UInt64(added) * bytes, removedBytes: UInt64(removed) * bytes)
        }
    }

    /// Bytes in ``addedBlocks``.
    public var addedBytes: UInt64 { orderTotals.reduce(0) { $0 + $1.addedBytes } }
    /// Bytes in ``removedBlocks``.
    public var removedBytes: UInt64 { orderTotals.reduce(0) { $0 + $1.removedBytes } }
    /// Pages in ``changedContent``.
    public var changedContentPages: Int { IndexRange.total(changedContent) }
    /// Bytes in ``changedContent``.
    public var changedContentBytes: UInt64 { UInt64(changedContentPages) * UInt64(to.geometry.pageSize) }
}

extension GenerationDiff {
    /// Compares `ledger` right after operation `from` with right after `to`.
    public init(ledger: Ledger, from: Int64, to: Int64) throws(ReplayError) {
        self = try ledger.asOfRead { snapshot in
            try GenerationDiff(DiffSide(snapshot, AsOfState(snapshot, seq: from)), DiffSide(snapshot, AsOfState(snapshot, seq: to)))
        }
    }

    /// Compares `ledger` right after operation `from` with `otherLedger`
    /// right after its operation `to`.
    public init(ledger: Ledger, from: Int64, otherLedger: Ledger, to: Int64) throws(ReplayError) {
        // Each side's reads inside the other ledger's read name their own
        // ledger when they fail (``DiffSide/reading(_:)``).
        self = try ledger.asOfRead { snapshot in
            let first = try AsOfState(snapshot, seq: from)
            return try otherLedger.asOfRead { other in
                let map = ContentIDMap(source: other, target: snapshot)
                return try GenerationDiff(DiffSide(snapshot, first), DiffSide(other, AsOfState(other, seq: to), contentID: map.id))
            }
        }
    }

    private init(_ sideA: DiffSide, _ sideB: DiffSide) throws {
        let (a, b) = (sideA.state, sideB.state)
        from = a
        to = b
        let (pairs, removed, added) = Self.pair(a.areas, b.areas)
        pairedAreas = try pairs.map { old, new in try AreaChange(from: old, at: sideA, to: new, at: sideB) }
        removedAreas = removed
        addedAreas = added
        (removedBlocks, addedBlocks) = Self.difference(a.preserved, b.preserved)
        (addedSubtrees, removedSubtrees, changedSubtrees) = Self.compareSubtrees(a.subtrees, b.subtrees)
        changedContent = try Self.changedContent(from: sideA, to: sideB)
    }

    /// The blocks only in `old` and those only in `new`, by one merge of the
    /// two sorted lists.
    private static func difference(_ old: [PreservedBlock], _ new: [PreservedBlock]) -> ([PreservedBlock], [PreservedBlock]) {
        var onlyOld: [PreservedBlock] = [], onlyNew: [PreservedBlock] = []
        var (i, j) = (0, 0)
        while i < old.count || j < new.count {
            if j == new.count || (i < old.count && old[i] < new[j]) {
                onlyOld.append(old[i]); i += 1
            } else if i == old.count || new[j] < old[i] {
                onlyNew.append(new[j]); j += 1
            } else {
                i += 1; j += 1
            }
        }
        return (onlyOld, onlyNew)
    }

    /// Pairs areas: same name and kind, then same name, then same descriptor
    /// address; each rule in the areas' order. Returns the pairs (in `a`'s
    /// order), the unpaired areas of `a` and those of `b`.
    private static func pair(_ a: [AsOfState.Area], _ b: [AsOfState.Area])
        -> ([(AsOfState.Area, AsOfState.Area)], [AsOfState.Area], [AsOfState.Area]) {
        let rules: [(AsOfState.Area) -> AnyHashable] = [
            { [$0.name, $0.kind.rawValue] },
            { $0.name },
            { $0.descriptorPhys },
        ]
        var (left, right) = (a, b)
        var pairs: [(AsOfState.Area, AsOfState.Area)] = []
        for key in rules {
            var waiting = Dictionary(grouping: right.indices) { key(right[$0]) }
            var taken: Set<Int> = []
            left = left.filter { area in
                guard let j = waiting[key(area)]?.first else { return true }
                waiting[key(area)]?.removeFirst()
                taken.insert(j)
                pairs.append((area, right[j]))
                return false
            }
            right = right.indices.filter { !taken.contains($0) }.map { right[$0] }
        }
        let order = Dictionary(uniqueKeysWithValues: a.enumerated().map { ($1.objectID, $0) })
        return (pairs.sorted { order[$0.0.objectID, default: 0] < order[$1.0.objectID, default: 0] }, left, right)
    }

    private static func compareSubtrees(_ a: [AsOfState.Subtree], _ b: [AsOfState.Subtree])
        -> ([AsOfState.Subtree], [AsOfState.Subtree], [SubtreeChange]) {
        func key(_ s: AsOfState.Subtree) -> String { s.direction.rawValue + "/" + s.name }
        let old = Dictionary(a.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(b.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let changed = a.compactMap { s -> SubtreeChange? in
            guard let now = new[key(s)], now.phys != s.phys || now.size != s.size || now.blobSHA256 != s.blobSHA256 else { return nil }
            return SubtreeChange(from: s, to: now)
        }
        return (b.filter { old[key($0)] == nil }, a.filter { new[key($0)] == nil }, changed)
    }

    /// Pages of `b`'s preserved blocks whose content differs at `a`: one
    /// range scan per run of contiguous blocks at each point.
    private static func changedContent(from a: DiffSide, to b: DiffSide) throws -> [IndexRange] {
        let geometry = b.state.geometry
        let pageSize = UInt64(geometry.pageSize)
        var pfns: Set<Int> = []   // blocks of different orders may overlap
        let runs = b.state.preservedRuns.map { $0.phys ..< $0.phys + $0.bytes(geometry) }
        let old = try a.contentIDs(runs)
        let new = try b.contentIDs(runs)
        for run in runs {
            for page in stride(from: run.lowerBound, to: run.upperBound, by: Int(pageSize)) where old[page] != new[page] {
                pfns.insert(Int(page / pageSize))
            }
        }
        return IndexRange.ranges(of: pfns.sorted())
    }
}
