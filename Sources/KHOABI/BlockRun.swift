/// `count` blocks of one order, physically contiguous from `phys`: how the
/// tracker's blocks and an object's frames are run-length encoded (an
/// object's frame extents, the runs `state` and `diff` print, the rows of
/// `preserved_run` and `object_extent`).
public struct BlockRun: Hashable, Sendable {
    /// Physical address of the first block.
    public var phys: UInt64
    /// Order of every block.
    public var order: Int
    /// Blocks in the run.
    public var count: Int

    /// `count` contiguous blocks of `order` from `phys`.
    public init(phys: UInt64, order: Int, count: Int) {
        self.phys = phys
        self.order = order
        self.count = count
    }

    /// Bytes the run covers.
    public func bytes(_ geometry: PageGeometry) -> UInt64 { UInt64(count) * geometry.bytes(order: order) }

    /// The blocks of the run, in address order.
    public func blocks(_ geometry: PageGeometry) -> [PreservedBlock] {
        (0 ..< count).map { PreservedBlock(phys: phys + UInt64($0) * geometry.bytes(order: order), order: order) }
    }

    /// The runs of `blocks` (in the given order): consecutive blocks of one
    /// order where each starts where the previous one ends share a run.
    public static func runs(of blocks: [PreservedBlock], geometry: PageGeometry) -> [BlockRun] {
        var runs: [BlockRun] = []
        for block in blocks {
            if let last = runs.last, last.order == block.order, last.phys + last.bytes(geometry) == block.phys {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(BlockRun(phys: block.phys, order: block.order, count: 1))
            }
        }
        return runs
    }
}
