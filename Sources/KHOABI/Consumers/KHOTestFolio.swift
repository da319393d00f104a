/// One test-module folio: an entry `phys | order`, the order in the low
/// `PAGE_SHIFT` bits of the page-aligned address.
public struct KHOTestFolio: Hashable, Sendable {
    public var phys: UInt64
    public var order: Int

    public init(phys: UInt64, order: Int) {
        self.phys = phys
        self.order = order
    }

    /// Splits an array entry.
    public init(entry: UInt64, geometry: PageGeometry) {
        let mask = UInt64(geometry.pageSize - 1)
        phys = entry & ~mask
        order = Int(entry & mask)
    }

    /// The array entry `phys | order`.
    public var entry: UInt64 { phys | UInt64(order) }
}
