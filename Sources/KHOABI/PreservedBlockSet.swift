/// A set of preserved blocks held as bits: one per block of each order, in
/// chunks of 4096 made only where a block is, so millions of scattered
/// order-0 blocks cost about a bit each where they are dense and a chunk
/// of 512 bytes where they are alone.
public struct PreservedBlockSet: Sendable {
    /// Blocks per chunk.
    private static let chunkBlocks: UInt64 = 4096
    private let pageShift: UInt64
    /// Chunks by (block number / ``chunkBlocks``) << 8 | order: 64 words of bits.
    private var chunks: [UInt64: [UInt64]] = [:]
    /// Blocks in the set.
    public private(set) var count = 0

    /// An empty set for pages of `geometry`.
    public init(geometry: PageGeometry) { pageShift = UInt64(geometry.pageShift) }

    /// The chunk key, word and bit of `block`.
    private func slot(_ block: PreservedBlock) -> (key: UInt64, word: Int, bit: UInt64) {
        let number = block.phys >> (pageShift + UInt64(block.order))
        let within = number % Self.chunkBlocks
        return ((number / Self.chunkBlocks) << 8 | UInt64(UInt8(truncatingIfNeeded: block.order)), Int(within / 64), within % 64)
    }

    /// True when `block` is in the set.
    public func contains(_ block: PreservedBlock) -> Bool {
        let (key, word, bit) = slot(block)
        guard let chunk = chunks[key] else { return false }
        return chunk[word] & (1 << bit) != 0
    }

    /// Adds `block`.
    public mutating func insert(_ block: PreservedBlock) {
        let (key, word, bit) = slot(block)
        let mask: UInt64 = 1 << bit
        if let chunk = chunks[key], chunk[word] & mask != 0 { return }
        chunks[key, default: [UInt64](repeating: 0, count: Int(Self.chunkBlocks / 64))][word] |= mask
        count += 1
    }

    /// Removes `block`.
    public mutating func remove(_ block: PreservedBlock) {
        let (key, word, bit) = slot(block)
        guard let chunk = chunks[key], chunk[word] & (1 << bit) != 0 else { return }
        chunks[key]![word] &= ~(1 << bit)
        count -= 1
    }

    /// True when a block of the set, of order `maxOrder` or below, covers the page at `phys`.
    public func covers(_ phys: UInt64, maxOrder: Int) -> Bool {
        guard !isEmpty else { return false }
        for order in 0...maxOrder {
            let size = UInt64(1) << (pageShift + UInt64(order))
            if contains(PreservedBlock(phys: phys & ~(size - 1), order: order)) { return true }
        }
        return false
    }

    /// True when the set holds no block.
    public var isEmpty: Bool { count == 0 }
}
