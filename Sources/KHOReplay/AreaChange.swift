/// One vmalloc area present at both points of a ``GenerationDiff``: its two
/// versions and how their pages compare.
///
/// Page index `i` of the area is compared by the content of the page that
/// holds it at each point: different content makes it *changed*; equal
/// content in a different frame makes it *moved*. An index that exists at
/// one point only (the area grew or shrank) is changed.
public struct AreaChange: Equatable, Sendable {
    /// Frames `index ..< index + count` (blocks of the area's order) lay
    /// contiguously from `from` and now lie contiguously from `to`.
    public struct FrameMove: Equatable, Sendable {
        public var index: Int
        public var count: Int
        public var from: UInt64
        public var to: UInt64
    }

    /// The area at the first point.
    public var from: AsOfState.Area
    /// The area at the second point.
    public var to: AsOfState.Area
    /// Page indices whose content differs.
    public var changedPages: [IndexRange]
    /// Page indices with equal content in another frame.
    public var movedPages: [IndexRange]
    /// Frames at another address (compared when both versions have one
    /// order; when the order changed, every page is compared by itself).
    public var movedFrames: [FrameMove]

    /// True when the kind, descriptor (address, `total_pages`, order,
    /// flags) or chunk count differ.
    public var descriptorChanged: Bool {
        from.kind != to.kind || from.descriptorPhys != to.descriptorPhys || from.totalPages != to.totalPages
            || from.order != to.order || from.flags != to.flags || from.chunks != to.chunks
    }

    /// True when nothing differs: descriptor, content or frames.
    public var isUnchanged: Bool {
        !descriptorChanged && changedPages.isEmpty && movedPages.isEmpty && movedFrames.isEmpty
    }
}

extension AreaChange {
    /// Compares `from` as of side `a` with `to` as of side `b`.
    init(from: AsOfState.Area, at a: DiffSide, to: AsOfState.Area, at b: DiffSide) throws {
        self.from = from
        self.to = to
        let old = try ObjectPages(objectID: from.objectID, at: a)
        let new = try ObjectPages(objectID: to.objectID, at: b)
        var changed: [Int] = []
        var moved: [Int] = []
        for index in 0..<max(old.count, new.count) {
            if index >= old.count || index >= new.count || old.content[index] != new.content[index] {
                changed.append(index)
            } else if old.phys[index] != new.phys[index] {
                moved.append(index)
            }
        }
        changedPages = IndexRange.ranges(of: changed)
        movedPages = IndexRange.ranges(of: moved)
        movedFrames = from.order == to.order
            ? Self.moves(old.phys, new.phys, order: from.order, blockBytes: a.state.geometry.bytes(order: from.order))
            : []
    }

    /// The frames whose head page differs, as runs contiguous on both sides.
    private static func moves(_ old: [UInt64], _ new: [UInt64], order: Int, blockBytes: UInt64) -> [FrameMove] {
        var moves: [FrameMove] = []
        for frame in 0..<min(old.count, new.count) >> order {
            let (from, to) = (old[frame << order], new[frame << order])
            guard from != to else { continue }
            if let last = moves.last, last.index + last.count == frame,
               last.from + UInt64(last.count) * blockBytes == from, last.to + UInt64(last.count) * blockBytes == to {
                moves[moves.count - 1].count += 1
            } else {
                moves.append(FrameMove(index: frame, count: 1, from: from, to: to))
            }
        }
        return moves
    }
}
