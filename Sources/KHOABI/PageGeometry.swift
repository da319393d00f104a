/// Every KHO layout constant that depends on the page size.
///
/// KHO never hands over between kernels with different page sizes; each layout
/// is a function of `PAGE_SIZE`. The supported sizes are 4 KiB, 16 KiB and
/// 64 KiB (x86_64 and arm64 configurations).
public struct PageGeometry: Hashable, Sendable, CustomStringConvertible {
    /// Bytes per base page (`PAGE_SIZE`).
    public let pageSize: Int
    /// log2 of the page size (`PAGE_SHIFT`).
    public let pageShift: Int

    /// The three page sizes KHO layouts are defined for.
    public static let supportedPageSizes = [4096, 16384, 65536]

    /// 4 KiB pages (x86_64, arm64 default).
    public static let kib4 = try! PageGeometry(pageSize: 4096)
    /// 16 KiB pages (arm64).
    public static let kib16 = try! PageGeometry(pageSize: 16384)
    /// 64 KiB pages (arm64).
    public static let kib64 = try! PageGeometry(pageSize: 65536)

    /// Creates the geometry for `pageSize`, which must be 4096, 16384 or 65536.
    public init(pageSize: Int) throws(KHOABIError) {
        guard Self.supportedPageSizes.contains(pageSize) else {
            throw .unsupportedPageSize(pageSize)
        }
        self.pageSize = pageSize
        self.pageShift = pageSize.trailingZeroBitCount
    }

    // MARK: vmalloc

    /// Physical-address slots in one vmalloc chunk page (`KHO_VMALLOC_SIZE`):
    /// the page minus the 8-byte `next` pointer, in 8-byte entries.
    public var vmallocChunkEntries: Int { (pageSize - 8) / 8 }

    // MARK: radix tracker

    /// Position of the order bit of an order-0 radix key (`KHO_ORDER_0_LOG2`).
    public var order0Log2: Int { 64 - pageShift }
    /// log2 of the slots in one radix table node (`KHO_TABLE_SIZE_LOG2`).
    public var tableSizeLog2: Int { pageShift - 3 }
    /// Slots in one radix table node: one little-endian u64 per 8 bytes.
    public var entriesPerNode: Int { pageSize / 8 }
    /// log2 of the bits in one radix leaf (`KHO_BITMAP_SIZE_LOG2`).
    public var bitmapSizeLog2: Int { pageShift + 3 }
    /// Bits in one radix leaf page.
    public var bitsPerLeaf: Int { pageSize * 8 }
    /// Width of an order-0 radix key in bits.
    public var radixKeyBits: Int { order0Log2 + 1 }
    /// Bytes of physical memory covered by one leaf at order 0.
    public var leafSpanBytes: UInt64 { UInt64(bitsPerLeaf) * UInt64(pageSize) }

    /// Levels of the radix tree, leaf included (`KHO_TREE_MAX_DEPTH`).
    public func radixTreeDepth(_ formula: RadixDepthFormula = .fixed) -> Int {
        let span = order0Log2 - bitmapSizeLog2 + (formula == .fixed ? 1 : 0)
        let tables = (span + tableSizeLog2 - 1) / tableSizeLog2
        return tables + 1
    }

    // MARK: bitmap tracker (kho-v1)

    /// Bitmap descriptors in one `khoser_mem_chunk` (`KHOSER_BITMAP_SIZE`).
    public var bitmapsPerChunk: Int { (pageSize - 16) / 16 }

    /// Bits per preservation bitmap (`PRESERVE_BITS`) for a kho-v1 variant.
    public func preserveBits(_ variant: BitmapVariant) -> Int {
        switch variant {
        case .v1a: return 512 * 8
        case .v1b: return pageSize * 8
        }
    }

    // MARK: orders

    /// The typical `MAX_PAGE_ORDER` of kernels built for this page size
    /// (10 at 4 KiB, 11 at 16 KiB, 13 at 64 KiB on arm64; 10 on x86_64).
    public var maxPageOrder: Int {
        switch pageSize {
        case 4096: return 10
        case 16384: return 11
        default: return 13
        }
    }

    /// Entries of `entrySize` bytes that fit in one KHO serialization block
    /// (kho-v4): the page minus the 16-byte block header.
    public func blockEntries(entrySize: Int) -> Int { (pageSize - 16) / entrySize }

    /// Bytes in a block of `order`.
    public func bytes(order: Int) -> UInt64 { UInt64(pageSize) << UInt64(order) }

    /// True when `phys` is aligned to a block of `order`.
    public func isAligned(_ phys: UInt64, order: Int) -> Bool {
        phys & (bytes(order: order) - 1) == 0
    }

    /// `get_order(size)`: the smallest order whose block holds `size` bytes.
    public func order(forSize size: UInt64) -> Int {
        var order = 0
        while bytes(order: order) < size { order += 1 }
        return order
    }

    public var description: String { "\(pageSize / 1024) KiB pages" }
}

/// Which formula computes the radix tree's depth.
///
/// The first radix code used `ceil((O0 − B) / T) + 1`, which at 16 KiB pages
/// yields 4 levels and drops the order-0 order bit (bit 50): order-0 keys
/// cannot be reconstructed. The fix ("kho: fix KHO_TREE_MAX_DEPTH for non-4KB
/// page sizes", 7.1-rc) adds one to the numerator. Both agree at 4 KiB and 64 KiB.
public enum RadixDepthFormula: String, Sendable, CaseIterable, Codable {
    /// `ceil((O0 − B + 1) / T) + 1`, the fixed formula (default).
    case fixed
    /// `ceil((O0 − B) / T) + 1`, the original formula; broken at 16 KiB pages.
    case original

    /// True when this formula loses key bits at the given page size.
    public func isKnownBroken(for geometry: PageGeometry) -> Bool {
        geometry.radixTreeDepth(self) != geometry.radixTreeDepth(.fixed)
    }
}

/// The two layouts of the kho-v1 bitmap tracker, which share the `kho-v1`
/// compatible string and must be told apart by the user.
public enum BitmapVariant: String, Sendable, CaseIterable {
    /// 6.16 and 6.17: 512-byte bitmaps (4096 bits), `page->private` = order.
    case v1a
    /// 6.18 to 7.0: page-sized bitmaps, KHOP magic in `page->private`.
    case v1b

    /// "512-byte" or "page-sized".
    public var bitmapName: String { self == .v1a ? "512-byte" : "page-sized" }
}
