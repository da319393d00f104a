/// Splits a pfn range into naturally aligned blocks the way
/// `kho_preserve_pages`, `kho_unpreserve_pages` and `kho_restore_pages` do.
///
/// At each step order = min(ctz(pfn), floor(log2(end − pfn))), with ctz(0)
/// counting as 64; then pfn advances by 2^order. There is no cap at
/// MAX_PAGE_ORDER. Kernels from 7.1 additionally lower the order while the
/// block's first and last pfn lie on different NUMA nodes (preserve and, after
/// the May-2026 fix, unpreserve — never restore); pass `node` to model that.
public enum PageRangeSplitter {
    /// The (pfn, order) blocks covering [pfn, pfn + count).
    ///
    /// - Parameter node: NUMA node of a pfn, or `nil` for no NUMA cut.
    public static func split(pfn start: UInt64, count: UInt64, node: ((UInt64) -> Int)? = nil) throws(KHOABIError) -> [(pfn: UInt64, order: Int)] {
        let (end, overflow) = start.addingReportingOverflow(count)
        guard count > 0, !overflow else { throw .invalidPageRange(pfn: start, count: count) }
        var result: [(pfn: UInt64, order: Int)] = []
        var pfn = start
        while pfn < end {
            let alignment = pfn == 0 ? 64 : pfn.trailingZeroBitCount
            let fit = 63 - (end - pfn).leadingZeroBitCount
            var order = min(alignment, fit)
            if let node {
                while order > 0, node(pfn) != node(pfn + (UInt64(1) << UInt64(order)) - 1) { order -= 1 }
            }
            result.append((pfn, order))
            pfn += UInt64(1) << UInt64(order)
        }
        return result
    }

    /// The blocks of [phys, phys + pages × PAGE_SIZE) as ``PreservedBlock`` values.
    /// `phys` must be page aligned.
    public static func blocks(phys: UInt64, pages: UInt64, geometry: PageGeometry, node: ((UInt64) -> Int)? = nil) throws(KHOABIError) -> [PreservedBlock] {
        guard geometry.isAligned(phys, order: 0) else {
            throw .misalignedAddress(field: "page range start", address: phys, alignment: UInt64(geometry.pageSize))
        }
        let shift = UInt64(geometry.pageShift)
        return try split(pfn: phys >> shift, count: pages, node: node).map {
            PreservedBlock(phys: $0.pfn << shift, order: $0.order)
        }
    }
}
