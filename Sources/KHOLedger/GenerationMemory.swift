import KHOABI

/// A generation's physical memory, as its `generation` row states it:
/// checked to be at least one page, and to end below 2^63.
public struct GenerationMemory: Equatable, Sendable {
    /// The first physical address.
    public let base: UInt64
    /// Bytes.
    public let size: UInt64

    /// The memory of generation `generation` from its row's `memory_base` and `memory_size`.
    public init(base: Int64, size: Int64, geometry: PageGeometry, generation: Int64) throws(CorruptRow) {
        let row = "\(generation)"
        guard size >= geometry.pageSize else {
            throw CorruptRow(table: "generation", row: row, column: "memory_size", value: size, expected: "at least a page (\(geometry.pageSize) bytes)")
        }
        guard base >= 0, base <= Int64.max - size else {
            throw CorruptRow(table: "generation", row: row, column: "memory_base", value: base,
                             expected: "an address 0…\(Int64.max - size) (the memory of \(size) bytes ends below 2^63)")
        }
        self.base = UInt64(base)
        self.size = UInt64(size)
    }
}
