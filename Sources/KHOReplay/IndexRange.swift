/// `count` consecutive integers from `first`: page indices of an area, or
/// page frame numbers, listed compactly.
public struct IndexRange: Hashable, Sendable, CustomStringConvertible {
    public var first: Int
    public var count: Int

    public init(first: Int, count: Int) {
        self.first = first
        self.count = count
    }

    /// The last index in the range.
    public var last: Int { first + count - 1 }

    /// `7` or `7-9`.
    public var description: String { count == 1 ? "\(first)" : "\(first)-\(last)" }

    /// The ranges of `indices`, which must be ascending and distinct.
    public static func ranges(of indices: some Sequence<Int>) -> [IndexRange] {
        var ranges: [IndexRange] = []
        for index in indices {
            if let last = ranges.last, last.first + last.count == index {
                ranges[ranges.count - 1].count += 1
            } else {
                ranges.append(IndexRange(first: index, count: 1))
            }
        }
        return ranges
    }

    /// How many indices `ranges` hold.
    public static func total(_ ranges: [IndexRange]) -> Int { ranges.reduce(0) { $0 + $1.count } }
}
