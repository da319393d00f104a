import KHOABI

/// The folios of one file (a memfd's page cache), allocated together and
/// preserved or unpreserved together, as `memfd_luo_preserve_folios` and
/// `memfd_luo_unpreserve_folios` loop over them (mm/memfd_luo.c, 6.19+).
public struct FolioSet: Hashable, Sendable {
    /// The name scenarios and the ledger use for the set.
    public var name: String
    /// Order of every folio.
    public var order: Int
    /// Physical address of every base page, in file order.
    public var pages: [UInt64]

    /// Physical address of each folio's head, in file order.
    public var folios: [UInt64] { stride(from: 0, to: pages.count, by: 1 << order).map { pages[$0] } }

    /// The folios as tracker blocks, in file order.
    public var blocks: [PreservedBlock] { folios.map { PreservedBlock(phys: $0, order: order) } }
}
