import KHOABI

/// `count` preserved blocks of one order, physically contiguous from `phys`:
/// how long lists of blocks are shown.
public struct PreservedRun: Hashable, Sendable {
    /// Physical address of the first block.
    public var phys: UInt64
    /// Order of every block.
    public var order: Int
    /// Blocks in the run.
    public var count: Int

    public init(phys: UInt64, order: Int, count: Int) {
        self.phys = phys
        self.order = order
        self.count = count
    }

    /// Bytes the run covers.
    public func bytes(_ geometry: PageGeometry) -> UInt64 { UInt64(count) * geometry.bytes(order: order) }

    /// The runs of `blocks` (in the given order): consecutive blocks of one
    /// order where each starts where the previous one ends share a run.
    public static func runs(of blocks: [PreservedBlock], geometry: PageGeometry) -> [PreservedRun] {
        var runs: [PreservedRun] = []
        for block in blocks {
            if let last = runs.last, last.order == block.order, last.phys + last.bytes(geometry) == block.phys {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(PreservedRun(phys: block.phys, order: block.order, count: 1))
            }
        }
        return runs
    }
}
