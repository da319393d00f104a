import KHOABI

/// An emulated vmalloc area: virtually contiguous, backed by order-0 pages
/// or, for huge mappings, by naturally aligned blocks of `order`.
public struct VmallocArea: Hashable, Sendable {
    /// The kernel vm flags that matter to KHO.
    public struct VMFlags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// `VM_ALLOC`: a vmalloc() allocation.
        public static let alloc = VMFlags(rawValue: 1 << 0)
        /// `VM_ALLOW_HUGE_VMAP`: huge mappings allowed.
        public static let allowHugeVmap = VMFlags(rawValue: 1 << 1)
        /// `VM_MAP`: a vmap() of foreign pages, which KHO refuses.
        public static let map = VMFlags(rawValue: 1 << 2)
    }

    /// The name scenarios and the ledger use for the area.
    public var name: String
    /// Physical address of every base page, in virtual order.
    public var pages: [UInt64]
    /// Order of each contiguous block (0 for normal areas).
    public var order: Int
    public var vmFlags: VMFlags

    /// Bytes in the area.
    public func size(_ geometry: PageGeometry) -> Int { pages.count * geometry.pageSize }

    /// Physical address of the first page of each block.
    public var blocks: [UInt64] { stride(from: 0, to: pages.count, by: 1 << order).map { pages[$0] } }

    /// The KHO flags this area's vm flags translate to.
    public var khoFlags: VmallocFlags {
        var flags: VmallocFlags = []
        if vmFlags.contains(.alloc) { flags.insert(.alloc) }
        if vmFlags.contains(.allowHugeVmap) { flags.insert(.hugeVmap) }
        return flags
    }
}
