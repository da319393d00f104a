import KHOABI
import KHOReplay

/// The JSON shape of `kholedger diff`, built from the item shapes of
/// ``StateDocument``. Addresses are `0x…` strings, sizes plain byte counts.
struct DiffDocument: Encodable {
    struct Point: Encodable {
        var point: String
        var seq: Int64
        var generation: Int64
        var preservedBlocks: Int
        var preservedBytes: UInt64
        var areaBytes: UInt64

        init(_ text: String, _ state: AsOfState) {
            point = text
            seq = state.seq
            generation = state.generation
            preservedBlocks = state.preserved.count
            preservedBytes = state.preservedBytes
            areaBytes = state.areaBytes
        }
    }

    struct Summary: Encodable {
        var areasAdded: Int
        var areasRemoved: Int
        var areasChanged: Int
        var areasUnchanged: Int
        var blocksAdded: Int
        var blocksRemoved: Int
        var bytesAdded: UInt64
        var bytesRemoved: UInt64
        var subtreesAdded: Int
        var subtreesRemoved: Int
        var subtreesChanged: Int
        var pagesChanged: Int
        var bytesChanged: UInt64
    }

    struct Range: Encodable {
        var first: Int
        var count: Int
    }

    struct FrameMove: Encodable {
        var index: Int
        var count: Int
        var from: String
        var to: String
    }

    struct AreaChange: Encodable {
        var name: String
        var from: StateDocument.Area
        var to: StateDocument.Area
        var descriptorChanged: Bool
        var changedPages: [Range]
        var movedPages: [Range]
        var movedFrames: [FrameMove]
    }

    struct Areas: Encodable {
        var added: [StateDocument.Area]
        var removed: [StateDocument.Area]
        var changed: [AreaChange]
        var unchanged: [String]
    }

    struct Preserved: Encodable {
        struct Order: Encodable {
            var order: Int
            var added: Int
            var removed: Int
            var addedBytes: UInt64
            var removedBytes: UInt64
        }

        var byOrder: [Order]
        var added: [StateDocument.Block]
        var removed: [StateDocument.Block]
    }

    struct SubtreeChange: Encodable {
        var name: String
        var from: StateDocument.Subtree
        var to: StateDocument.Subtree
    }

    struct Subtrees: Encodable {
        var added: [StateDocument.Subtree]
        var removed: [StateDocument.Subtree]
        var changed: [SubtreeChange]
    }

    struct Content: Encodable {
        struct Pages: Encodable {
            var phys: String
            var pages: Int
        }

        var pages: Int
        var bytes: UInt64
        var ranges: [Pages]
    }

    var from: Point
    var to: Point
    var summary: Summary
    var areas: Areas
    var preserved: Preserved
    var subtrees: Subtrees
    var content: Content

    init(_ diff: GenerationDiff, from fromText: String, to toText: String) {
        let (a, b) = (diff.from, diff.to)
        from = Point(fromText, a)
        to = Point(toText, b)
        let orders = diff.orderTotals
        let changed = diff.changedAreas
        let pageSize = UInt64(b.geometry.pageSize)
        summary = Summary(
            areasAdded: diff.addedAreas.count, areasRemoved: diff.removedAreas.count, areasChanged: changed.count,
            areasUnchanged: diff.unchangedAreas.count, blocksAdded: diff.addedBlocks.count, blocksRemoved: diff.removedBlocks.count,
            bytesAdded: diff.addedBytes, bytesRemoved: diff.removedBytes,
            subtreesAdded: diff.addedSubtrees.count, subtreesRemoved: diff.removedSubtrees.count,
            subtreesChanged: diff.changedSubtrees.count, pagesChanged: diff.changedContentPages,
            bytesChanged: diff.changedContentBytes)
        areas = Areas(
            added: diff.addedAreas.map { StateDocument.Area($0, pageSize: b.geometry.pageSize) },
            removed: diff.removedAreas.map { StateDocument.Area($0, pageSize: a.geometry.pageSize) },
            changed: changed.map { change in
                AreaChange(name: change.to.name, from: StateDocument.Area(change.from, pageSize: a.geometry.pageSize),
                           to: StateDocument.Area(change.to, pageSize: b.geometry.pageSize), descriptorChanged: change.descriptorChanged,
                           changedPages: change.changedPages.map { Range(first: $0.first, count: $0.count) },
                           movedPages: change.movedPages.map { Range(first: $0.first, count: $0.count) },
                           movedFrames: change.movedFrames.map { FrameMove(index: $0.index, count: $0.count, from: hex($0.from), to: hex($0.to)) })
            },
            unchanged: diff.unchangedAreas.map(\.to.name))
        preserved = Preserved(
            byOrder: orders.map { .init(order: $0.order, added: $0.added, removed: $0.removed, addedBytes: $0.addedBytes, removedBytes: $0.removedBytes) },
            added: diff.addedBlocks.map(StateDocument.Block.init), removed: diff.removedBlocks.map(StateDocument.Block.init))
        subtrees = Subtrees(
            added: diff.addedSubtrees.map(StateDocument.Subtree.init), removed: diff.removedSubtrees.map(StateDocument.Subtree.init),
            changed: diff.changedSubtrees.map { .init(name: $0.to.name, from: .init($0.from), to: .init($0.to)) })
        content = Content(pages: diff.changedContentPages, bytes: diff.changedContentBytes,
                          ranges: diff.changedContent.map { .init(phys: hex(UInt64($0.first) * pageSize), pages: $0.count) })
    }
}
