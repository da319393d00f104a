/// An order per head page, by the head's physical address (folio orders,
/// the orders KHO stored in preserved head pages): one byte per page
/// frame, in chunks made only for the parts of memory that hold a head,
/// so a guest's millions of order-0 folios cost a byte each rather than a
/// dictionary entry.
public struct PageOrderTable: Sendable {
    /// Frames per chunk.
    private static let chunkFrames = 4096
    private let pageShift: UInt64
    /// Chunks by pfn / ``chunkFrames``; an entry is the order + 1, 0 for no head.
    private var chunks: [UInt64: [UInt8]] = [:]
    /// Orders too large for a byte (a damaged tracker may name any), by pfn.
    private var large: [UInt64: Int] = [:]
    /// The chunk entry standing for an order kept in ``large``.
    private static let largeEntry = UInt8.max

    /// An empty table for pages of `geometry`.
    public init(geometry: PageGeometry) { pageShift = UInt64(geometry.pageShift) }

    /// The order of the block whose head is at `phys`; nil when none starts there.
    public subscript(phys: UInt64) -> Int? {
        get {
            let pfn = phys >> pageShift
            guard let chunk = chunks[pfn / UInt64(Self.chunkFrames)] else { return nil }
            let entry = chunk[Int(pfn % UInt64(Self.chunkFrames))]
            if entry == Self.largeEntry { return large[pfn] }
            return entry == 0 ? nil : Int(entry) - 1
        }
        set {
            let pfn = phys >> pageShift
            let key = pfn / UInt64(Self.chunkFrames), slot = Int(pfn % UInt64(Self.chunkFrames))
            if !large.isEmpty { large[pfn] = nil }
            guard let order = newValue else {
                chunks[key]?[slot] = 0
                return
            }
            let entry: UInt8
            if (0..<Int(Self.largeEntry) - 1).contains(order) {
                entry = UInt8(order + 1)
            } else {
                large[pfn] = order
                entry = Self.largeEntry
            }
            chunks[key, default: [UInt8](repeating: 0, count: Self.chunkFrames)][slot] = entry
        }
    }
}
