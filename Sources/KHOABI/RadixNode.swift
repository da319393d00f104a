/// A radix-tracker table node: one page of little-endian u64 slots, each the
/// physical address of a child page or 0 when absent.
public struct RadixTableNode: Hashable, Sendable {
    /// One slot per ``PageGeometry/entriesPerNode``.
    public var slots: [UInt64]

    /// An empty node (all slots 0).
    public init(geometry: PageGeometry) {
        slots = Array(repeating: 0, count: geometry.entriesPerNode)
    }

    /// Decodes a node page. Rejects a wrong length and a child pointer that is
    /// not page aligned (every node is a whole page).
    public init(bytes: some Collection<UInt8>, geometry: PageGeometry) throws(KHOABIError) {
        let b = Array(bytes)
        guard b.count == geometry.pageSize else {
            throw .wrongLength(structure: "kho_radix_node", expected: geometry.pageSize, actual: b.count)
        }
        slots = (0..<geometry.entriesPerNode).map { b.loadLittleEndian(UInt64.self, at: 8 * $0) }
        let pageMask = UInt64(geometry.pageSize - 1)
        if let index = slots.firstIndex(where: { $0 & pageMask != 0 }) {
            throw .misalignedAddress(field: "kho_radix_node.slot[\(index)]", address: slots[index], alignment: pageMask + 1)
        }
    }

    /// The node page.
    public func encode() -> [UInt8] {
        var page: [UInt8] = []
        page.reserveCapacity(slots.count * 8)
        for slot in slots { page.appendLittleEndian(slot) }
        return page
    }
}

/// A radix-tracker leaf: one page of bits, bit i in little-endian u64 word
/// i / 64 at position i mod 64 (equivalently byte i / 8, bit i mod 8).
public struct RadixLeaf: Hashable, Sendable {
    /// The page bytes.
    public var bytes: [UInt8]

    /// An empty leaf.
    public init(geometry: PageGeometry) {
        bytes = Array(repeating: 0, count: geometry.pageSize)
    }

    /// Wraps a leaf page.
    public init(bytes: some Collection<UInt8>, geometry: PageGeometry) throws(KHOABIError) {
        let b = Array(bytes)
        guard b.count == geometry.pageSize else {
            throw .wrongLength(structure: "kho_radix_leaf", expected: geometry.pageSize, actual: b.count)
        }
        self.bytes = b
    }

    /// True when bit `index` is set.
    public func contains(_ index: Int) -> Bool {
        bytes[index >> 3] & (1 << UInt8(index & 7)) != 0
    }

    /// Sets bit `index`.
    public mutating func insert(_ index: Int) {
        bytes[index >> 3] |= 1 << UInt8(index & 7)
    }

    /// Clears bit `index`.
    public mutating func remove(_ index: Int) {
        bytes[index >> 3] &= ~(1 << UInt8(index & 7))
    }

    /// The set bits in ascending order.
    public var setBits: [Int] { bytes.setBitIndices() }
}

extension Array where Element == UInt8 {
    /// Indices of set bits, ascending, reading the bytes as a little-endian
    /// bitmap (bit i = byte i / 8, bit i mod 8). Skips zero words quickly.
    func setBitIndices() -> [Int] {
        var result: [Int] = []
        var wordStart = 0
        while wordStart < count {
            let width = Swift.min(8, count - wordStart)
            var word: UInt64 = 0
            for i in 0..<width { word |= UInt64(self[wordStart + i]) << UInt64(8 * i) }
            while word != 0 {
                result.append(wordStart * 8 + word.trailingZeroBitCount)
                word &= word - 1
            }
            wordStart += width
        }
        return result
    }
}
