/// A key of the radix preserved-memory tracker (kho-v2 and later).
///
/// key = 2^(O0 − order) | (phys >> (PAGE_SHIFT + order)), where O0 is
/// ``PageGeometry/order0Log2``. The single order bit encodes the order; the
/// bits below it are the block's pfn shifted by its order. Numerically smaller
/// keys are larger orders, so an ascending walk yields big blocks first.
public struct RadixKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The raw key.
    public let rawValue: UInt64

    /// Wraps a raw key without checking it; ``block(geometry:)`` validates.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Encodes a block. `phys` must be aligned to the block and `order` at
    /// most O0 (beyond that the order bit would not exist).
    public init(_ block: PreservedBlock, geometry: PageGeometry) throws(KHOABIError) {
        guard block.order >= 0, block.order <= geometry.order0Log2 else {
            throw .orderTooLarge(order: block.order, maximum: geometry.order0Log2)
        }
        guard geometry.isAligned(block.phys, order: block.order) else {
            throw .misalignedAddress(field: "order-\(block.order) block", address: block.phys,
                                     alignment: geometry.bytes(order: block.order))
        }
        let orderBit = UInt64(1) << UInt64(geometry.order0Log2 - block.order)
        rawValue = orderBit | (block.phys >> UInt64(geometry.pageShift + block.order))
    }

    /// Decodes the key: order from the highest set bit, phys from the bits below.
    ///
    /// Rejects 0 (no order bit) and keys whose highest bit lies above O0.
    public func block(geometry: PageGeometry) throws(KHOABIError) -> PreservedBlock {
        guard rawValue != 0 else { throw .invalidRadixKey(rawValue) }
        let highest = 64 - rawValue.leadingZeroBitCount   // 1-based position
        let order = geometry.order0Log2 + 1 - highest
        guard order >= 0 else { throw .invalidRadixKey(rawValue) }
        let shift = UInt64(geometry.pageShift + order)
        return PreservedBlock(phys: shift >= 64 ? 0 : rawValue << shift, order: order)
    }

    /// Slot index of this key in a table node at `level` (1 … depth − 1).
    public func index(level: Int, geometry: PageGeometry) -> Int {
        let shift = (level - 1) * geometry.tableSizeLog2 + geometry.bitmapSizeLog2
        guard shift < 64 else { return 0 }
        return Int((rawValue >> UInt64(shift)) & UInt64(geometry.entriesPerNode - 1))
    }

    /// Bit index of this key in its leaf (level 0).
    public func leafBit(geometry: PageGeometry) -> Int {
        Int(rawValue & UInt64(geometry.bitsPerLeaf - 1))
    }

    /// Reassembles a key from its path: slot indices from the root down to
    /// level 1 (`indices[0]` is the root's slot), then the leaf bit.
    public init(path indices: [Int], leafBit: Int, geometry: PageGeometry) {
        var key = UInt64(leafBit)
        for (position, index) in indices.enumerated() {
            let level = indices.count - position
            let shift = (level - 1) * geometry.tableSizeLog2 + geometry.bitmapSizeLog2
            if shift < 64 { key |= UInt64(index) << UInt64(shift) }
        }
        rawValue = key
    }

    public static func < (a: RadixKey, b: RadixKey) -> Bool { a.rawValue < b.rawValue }

    public var description: String { hex(rawValue) }
}
