/// The KHO page metadata of a kernel booted from a handover, and the
/// kernel's rule for restoring pages with it (`kho_restore_page`,
/// `kho_restore_pages`): the one place that rule is written, used by the
/// emulator's restores and by every restore of a recorded or captured
/// handover.
///
/// While walking the incoming tracker the kernel stamps each entry's **head
/// page** only (`page->private`: the `KHOP` magic and the entry's order,
/// 6.18+; the bare order in 6.16/6.17). When one head is covered by entries
/// of several orders, the last one walked wins. A restore then looks at the
/// head page of each block it restores and at nothing else:
///
/// - no magic → fail (never preserved, a tail page, or already restored);
/// - the bitmap-tracker and kho-v2 code also fail when the stored order is
///   above `MAX_PAGE_ORDER` (``ABIGeneration/restoreChecksMaxPageOrder``);
///   the 7.1+ code does not;
/// - success clears the magic, so a second restore fails (6.18+; v1a
///   kernels cannot tell).
///
/// The order restored need not be the order preserved: a block kept as 512
/// order-0 entries restores as one order-9 block when its head page has the
/// magic, as in the kernel.
public struct PreservedHeads: Sendable {
    public let geometry: PageGeometry
    public let abi: ABIGeneration
    public let maxPageOrder: Int
    /// Stored order of every head page the kernel stamped, by pfn; shared by
    /// every copy of the metadata (restores record what they consume apart).
    private let orders: PageOrderTable
    /// True when every page counts as a preserved head (see ``assumingEveryHead(geometry:)``).
    private var everyHead = false
    /// Heads whose metadata a restore consumed.
    private var consumed: Set<UInt64> = []

    /// The metadata the next kernel writes for `blocks`, given in the
    /// tracker's walk order.
    public init(blocks: some Sequence<PreservedBlock>, geometry: PageGeometry, abi: ABIGeneration, maxPageOrder: Int) {
        self.geometry = geometry
        self.abi = abi
        self.maxPageOrder = maxPageOrder
        var orders = PageOrderTable(geometry: geometry)
        for block in blocks { orders[block.phys] = block.order }
        self.orders = orders
    }

    /// The metadata the next kernel writes for a tracker holding `blocks`
    /// (in any order): they are stamped in the order `abi`'s tracker is
    /// walked — radix trees by ascending key (larger orders first), bitmaps
    /// by ascending order — so where two entries share a head the one walked
    /// last decides its stored order.
    public init(tracker blocks: some Collection<PreservedBlock>, geometry: PageGeometry, abi: ABIGeneration, maxPageOrder: Int) {
        let walkOrder = blocks.sorted { a, b in
            if a.order != b.order { return abi.usesRadixTracker ? a.order > b.order : a.order < b.order }
            return a.phys < b.phys
        }
        self.init(blocks: walkOrder, geometry: geometry, abi: abi, maxPageOrder: maxPageOrder)
    }

    /// Metadata for a handover whose tracker is not at hand: every page is
    /// taken as the head of a block preserved at the order a restore asks
    /// for, and only a second restore of one head fails, so a walk still
    /// refuses a block or chunk listed twice.
    public static func assumingEveryHead(geometry: PageGeometry) -> PreservedHeads {
        var heads = PreservedHeads(blocks: [], geometry: geometry, abi: .v3, maxPageOrder: geometry.maxPageOrder)
        heads.everyHead = true
        return heads
    }

    /// The order stored in the head page at `pfn`, or nil when the page
    /// carries no KHO metadata (or it was consumed by a restore).
    public func storedOrder(pfn: UInt64) -> Int? { consumed.contains(pfn) ? nil : orders[pfn << UInt64(geometry.pageShift)] }

    /// `kho_restore_page` of the page holding `phys` (the low PAGE_SHIFT bits
    /// are ignored): returns the stored order and consumes the metadata.
    public mutating func restoreHead(_ phys: UInt64) -> Result<Int, PageRestoreFailure> {
        restoreHead(phys, assumedOrder: 0)
    }

    private mutating func restoreHead(_ phys: UInt64, assumedOrder: Int) -> Result<Int, PageRestoreFailure> {
        let page = phys & ~UInt64(geometry.pageSize - 1)
        let pfn = page >> UInt64(geometry.pageShift)
        guard !consumed.contains(pfn) else { return .failure(.noMagic(phys: page)) }
        if everyHead {
            consumed.insert(pfn)
            return .success(assumedOrder)
        }
        guard let order = orders[page] else { return .failure(.noMagic(phys: page)) }
        if abi.restoreChecksMaxPageOrder, order > maxPageOrder {
            return .failure(.orderAboveMaximum(phys: page, order: order, maximum: maxPageOrder))
        }
        if abi.restoreChecksMagic { consumed.insert(pfn) }
        return .success(order)
    }

    /// `kho_restore_pages(phys, count)`: splits the range as preserve does
    /// but without the NUMA cut, and restores each block's head page. Stops
    /// at the first failure; the blocks restored before it stay restored
    /// (no rollback). Returns the blocks restored, each with its stored order.
    public mutating func restorePages(_ phys: UInt64, count: UInt64) -> (restored: [PreservedBlock], failure: PageRestoreFailure?) {
        let pieces: [PreservedBlock]
        do {
            pieces = try PageRangeSplitter.blocks(phys: phys & ~UInt64(geometry.pageSize - 1), pages: count, geometry: geometry)
        } catch {
            return ([], .invalidRange(phys: phys, pages: count))
        }
        var restored: [PreservedBlock] = []
        for piece in pieces {
            switch restoreHead(piece.phys, assumedOrder: piece.order) {
            case .success(let order): restored.append(PreservedBlock(phys: piece.phys, order: order))
            case .failure(let failure): return (restored, failure)
            }
        }
        return (restored, nil)
    }
}

/// Why `kho_restore_page` returned NULL.
public enum PageRestoreFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The head page carries no KHO magic.
    case noMagic(phys: UInt64)
    /// kho-v1 and kho-v2 kernels refuse a stored order above `MAX_PAGE_ORDER`.
    case orderAboveMaximum(phys: UInt64, order: Int, maximum: Int)
    /// The range is empty or wraps around.
    case invalidRange(phys: UInt64, pages: UInt64)

    public var description: String {
        switch self {
        case .noMagic(let phys):
            return "page \(hex(phys)) has no KHO magic (never preserved, a tail page, or already restored)"
        case let .orderAboveMaximum(phys, order, maximum):
            return "page \(hex(phys)) has order \(order) > MAX_PAGE_ORDER \(maximum)"
        case let .invalidRange(phys, pages):
            return "page range \(hex(phys)) + \(pages) pages is empty or wraps around"
        }
    }
}
