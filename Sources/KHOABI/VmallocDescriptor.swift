/// `struct kho_vmalloc`: the 16-byte descriptor of a preserved vmalloc area.
///
/// | field | offset | size |
/// |---|---|---|
/// | first (phys of the first chunk page, 0 = none) | 0 | 8 |
/// | total_pages | 8 | 4 |
/// | flags | 12 | 2 |
/// | order | 14 | 2 |
///
/// The descriptor lives wherever its owner puts it (a consumer struct, an FDT
/// property); KHO never preserves the descriptor's own memory.
public struct VmallocDescriptor: Hashable, Sendable {
    /// Encoded size in bytes.
    public static let size = 16

    /// Physical address of the first chunk page; 0 when the area has none.
    public var first: UInt64
    /// Base pages in the area.
    public var totalPages: UInt32
    /// KHO vmalloc flags.
    public var flags: VmallocFlags
    /// Order of every contiguous block (0 unless the area was mapped huge).
    public var order: UInt16

    public init(first: UInt64, totalPages: UInt32, flags: VmallocFlags, order: UInt16) {
        self.first = first
        self.totalPages = totalPages
        self.flags = flags
        self.order = order
    }

    /// Decodes 16 bytes as the kernel reads them: no field is checked
    /// (`kho_restore_vmalloc` and `kho_unpreserve_vmalloc` trust them).
    public init(unchecked bytes: some Collection<UInt8>) throws(KHOABIError) {
        let b = Array(bytes)
        guard b.count == Self.size else {
            throw .wrongLength(structure: "kho_vmalloc", expected: Self.size, actual: b.count)
        }
        first = b.loadLittleEndian(UInt64.self, at: 0)
        totalPages = b.loadLittleEndian(UInt32.self, at: 8)
        flags = VmallocFlags(rawValue: b.loadLittleEndian(UInt16.self, at: 12))
        order = b.loadLittleEndian(UInt16.self, at: 14)
    }

    /// Decodes 16 bytes, checking them against `geometry`.
    ///
    /// Rejects a `first` pointer that is not page aligned (chunk pages are
    /// whole pages) and an order above `geometry.maxPageOrder`. Unknown flag
    /// bits are kept as read, because the restoring kernel ignores them; use
    /// ``VmallocFlags/restored`` for the kernel's view.
    public init(bytes: some Collection<UInt8>, geometry: PageGeometry) throws(KHOABIError) {
        try self.init(unchecked: bytes)
        guard geometry.isAligned(first, order: 0) else {
            throw .misalignedAddress(field: "kho_vmalloc.first", address: first, alignment: UInt64(geometry.pageSize))
        }
        guard Int(order) <= geometry.maxPageOrder else {
            throw .orderTooLarge(order: Int(order), maximum: geometry.maxPageOrder)
        }
    }

    /// The 16 little-endian bytes of the descriptor.
    public func encode() -> [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity(Self.size)
        b.appendLittleEndian(first)
        b.appendLittleEndian(totalPages)
        b.appendLittleEndian(flags.rawValue)
        b.appendLittleEndian(order)
        return b
    }

    /// Number of blocks (chunk entries) the area is made of: `total_pages >> order`.
    public var blockCount: Int { Int(totalPages >> UInt32(min(order, 31))) }
}
