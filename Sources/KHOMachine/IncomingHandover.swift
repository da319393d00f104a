import KHOABI

/// What the previous generation handed over, as this generation's early boot
/// found it: the root FDT, the tracker walk, and the KHO page metadata
/// (`page->private` of every preserved head page).
public struct IncomingHandover: Sendable {
    /// `KHO_PAGE_MAGIC` ("KHOP") in the high 32 bits of `page->private`.
    public static let pageMagic: UInt64 = 0x4B48_4F50

    /// Physical address of the incoming root FDT page.
    public let fdtPhys: UInt64
    /// The incoming root FDT bytes (`totalsize`).
    public let fdtBytes: [UInt8]
    /// The incoming root FDT.
    public let fdt: KHORootFDT
    /// The tracker walk, in the kernel's order.
    public let preserved: [PreservedBlock]
    /// PAGE_SHIFT of both generations.
    let pageShift: Int
    /// `page->private` of preserved head pages, by pfn: magic << 32 | order.
    var pagePrivate: [UInt64: UInt64]

    /// The value the kernel writes into a preserved head page's `private`.
    public static func privateValue(order: Int) -> UInt64 { pageMagic << 32 | UInt64(order) }

    /// True when the page at `pfn` still carries the KHO magic (not yet restored).
    public func hasMagic(pfn: UInt64) -> Bool { pagePrivate[pfn].map { $0 >> 32 == Self.pageMagic } ?? false }

    /// Head pages whose magic has not been consumed by a restore yet.
    public var unrestored: [PreservedBlock] {
        preserved.filter { hasMagic(pfn: $0.phys >> UInt64(pageShift)) }
    }

    /// The subtree a name refers to, with libfdt's matching: a name without
    /// `@` also matches `name@unit`.
    public func subtree(named name: String) -> KHOSubtree? {
        fdt.subtrees.first { $0.name == name || (!name.contains("@") && $0.name.hasPrefix(name + "@")) }
    }
}
