import KHOABI

/// A generation's physical memory, as its `generation` row states it:
/// checked to be at least one page, and to end below 2^63.
public struct GenerationMemory: Equatable, Sendable {
    /// The first physical address.
    public let base: UInt64
    /// Bytes.
    public let size: UInt64

    /// The memory a `generation` row states in its `memory_base` and
    /// `memory_size`, for pages of `geometry`.
    public init(_ row: LedgerRow<some StoredColumns>, geometry: PageGeometry) throws(CorruptRow) {
        let size = try row.integer("memory_size", in: Int64(geometry.pageSize) ... .max,
                                   expected: "at least a page (\(geometry.pageSize) bytes)")
        let base = try row.integer("memory_base", in: 0 ... .max - size,
                                   expected: "an address 0…\(Int64.max - size) (the memory of \(size) bytes ends below 2^63)")
        self.base = UInt64(base)
        self.size = UInt64(size)
    }
}
