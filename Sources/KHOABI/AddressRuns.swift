import KHOABI

/// Physical address ranges, optionally rounded out to an alignment (whole
/// pages), merged into sorted disjoint runs: the memory an image maps, the
/// pages an import reads, the segments an export writes, the memory an
/// audit finds preserved.
public struct AddressRuns: Sendable {
    /// The runs, ascending; adjacent or overlapping inputs are one run.
    public let runs: [Range<UInt64>]

    /// Merges `ranges`, each first rounded out to a multiple of `alignment`
    /// (a power of two; 1 keeps them exact).
    public init(_ ranges: [Range<UInt64>], alignment: UInt64 = 1) {
        let mask = alignment - 1
        let rounded = ranges.filter { !$0.isEmpty }
            .map { ($0.lowerBound & ~mask) ..< (($0.upperBound + mask) & ~mask) }
            .sorted { $0.lowerBound < $1.lowerBound }
        var runs: [Range<UInt64>] = []
        for range in rounded {
            if let last = runs.last, range.lowerBound <= last.upperBound {
                runs[runs.count - 1] = last.lowerBound ..< max(last.upperBound, range.upperBound)
            } else {
                runs.append(range)
            }
        }
        self.runs = runs
    }

    /// The ranges `blocks` occupy.
    public static func ranges(of blocks: [PreservedBlock], geometry: PageGeometry) -> [Range<UInt64>] {
        blocks.map { $0.phys ..< $0.phys + geometry.bytes(order: $0.order) }
    }

    /// Bytes in all runs.
    public var byteCount: UInt64 { runs.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } }

    /// The first address of `range` that no run covers, or nil when the runs
    /// cover all of it.
    public func firstGap(in range: Range<UInt64>) -> UInt64? {
        var low = 0
        var high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].upperBound <= range.lowerBound { low = middle + 1 } else { high = middle }
        }
        guard low < runs.count, runs[low].lowerBound <= range.lowerBound else { return range.lowerBound }
        return runs[low].upperBound >= range.upperBound ? nil : runs[low].upperBound
    }
}
