/// Reads the kho-v1 bitmap tracker (6.16 – 7.0): a linked list of
/// `khoser_mem_chunk` pages, each holding bitmaps of one order.
///
/// `khoser_mem_chunk` (one page): next u64 @0, order u32 @8, num_elms u32 @12,
/// then num_elms × {phys_start u64, bitmap u64 (phys)} from offset 16. Bit b of
/// a bitmap is an order-`order` block at phys_start + (b << (order + PAGE_SHIFT)).
/// The bitmap size depends on the ``BitmapVariant``, which the compatible
/// string does not reveal.
public struct BitmapTrackerWalker: Sendable {
    public let geometry: PageGeometry
    public let variant: BitmapVariant
    /// Physical address of the first chunk (the FDT's `preserved-memory-map`).
    public let firstChunkPhys: UInt64

    public init(geometry: PageGeometry, variant: BitmapVariant, firstChunkPhys: UInt64) {
        self.geometry = geometry
        self.variant = variant
        self.firstChunkPhys = firstChunkPhys
    }

    /// One decoded chunk of the list.
    public struct Chunk: Hashable, Sendable {
        public var phys: UInt64
        public var next: UInt64
        public var order: Int
        /// (phys_start, bitmap phys) pairs.
        public var bitmaps: [(physStart: UInt64, bitmap: UInt64)]

        public static func == (a: Chunk, b: Chunk) -> Bool {
            a.phys == b.phys && a.next == b.next && a.order == b.order
                && a.bitmaps.elementsEqual(b.bitmaps) { $0 == $1 }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(phys)
            hasher.combine(next)
        }
    }

    /// The largest chunk order whose blocks fit in the 64-bit address
    /// space (one below `KHO_ORDER_0_LOG2`).
    public var maximumOrder: Int { geometry.order0Log2 - 1 }

    /// Bytes of one bitmap.
    public var bitmapBytes: Int { geometry.preserveBits(variant) / 8 }

    /// The chunk list in order. Rejects cycles, misaligned pointers, counts
    /// above capacity and orders too large to shift.
    public func chunks(read: MemoryReader) throws -> [Chunk] {
        var result: [Chunk] = []
        var visited: Set<UInt64> = []
        var phys = firstChunkPhys
        let pageMask = UInt64(geometry.pageSize - 1)
        while phys != 0 {
            guard phys & pageMask == 0 else {
                throw KHOABIError.misalignedAddress(field: "khoser_mem_chunk[\(result.count)]", address: phys, alignment: pageMask + 1)
            }
            guard visited.insert(phys).inserted else {
                throw KHOABIError.chunkListCycle(structure: "khoser_mem_chunk", index: result.count, phys: phys)
            }
            let page = try read(phys, geometry.pageSize)
            guard page.count == geometry.pageSize else {
                throw KHOABIError.wrongLength(structure: "khoser_mem_chunk", expected: geometry.pageSize, actual: page.count)
            }
            let next = page.loadLittleEndian(UInt64.self, at: 0)
            let order = page.loadLittleEndian(UInt32.self, at: 8)
            let count = page.loadLittleEndian(UInt32.self, at: 12)
            guard count <= geometry.bitmapsPerChunk else {
                throw KHOABIError.bitmapCountTooLarge(chunkPhys: phys, count: count, capacity: geometry.bitmapsPerChunk)
            }
            guard order <= UInt32(maximumOrder) else {
                throw KHOABIError.orderTooLarge(order: Int(order), maximum: maximumOrder)
            }
            let bitmaps = try (0..<Int(count)).map { i throws(KHOABIError) in
                let start = page.loadLittleEndian(UInt64.self, at: 16 + 16 * i)
                let bitmap = page.loadLittleEndian(UInt64.self, at: 24 + 16 * i)
                guard bitmap != 0, bitmap % 8 == 0 else {
                    throw .misalignedAddress(field: "khoser_mem_chunk \(hex(phys)) bitmap[\(i)]", address: bitmap, alignment: 8)
                }
                guard geometry.isAligned(start, order: Int(order)) else {
                    throw .misalignedAddress(field: "khoser_mem_chunk \(hex(phys)) phys_start[\(i)]", address: start,
                                             alignment: geometry.bytes(order: Int(order)))
                }
                return (start, bitmap)
            }
            result.append(Chunk(phys: phys, next: next, order: Int(order), bitmaps: bitmaps))
            phys = next
        }
        return result
    }

    /// Calls `visit` for each preserved block in deserialization order:
    /// chunks in list order, bitmaps in listed order, set bits ascending.
    public func forEachBlock(read: MemoryReader, _ visit: (PreservedBlock) throws -> Void) throws {
        for chunk in try chunks(read: read) {
            let shift = UInt64(chunk.order + geometry.pageShift)
            for (start, bitmap) in chunk.bitmaps {
                for bit in try read(bitmap, bitmapBytes).setBitIndices() {
                    let (phys, overflow) = start.addingReportingOverflow(UInt64(bit) << shift)
                    guard !overflow else {
                        throw KHOABIError.invalidField(structure: "khoser_mem_chunk \(hex(chunk.phys))", field: "phys_start", value: start)
                    }
                    try visit(PreservedBlock(phys: phys, order: chunk.order))
                }
            }
        }
    }

    /// The pages the tracker occupies: every chunk page, then every page
    /// holding a bitmap (a v1a page may hold several), in list order. These
    /// are the pages a handover carries besides the preserved blocks.
    public func trackerPages(read: MemoryReader) throws -> [UInt64] {
        let mask = ~UInt64(geometry.pageSize - 1)
        var pages: [UInt64] = []
        var seen: Set<UInt64> = []
        let chunks = try chunks(read: read)
        for page in chunks.map(\.phys) + chunks.flatMap({ $0.bitmaps.map { $0.bitmap & mask } }) where seen.insert(page).inserted {
            pages.append(page)
        }
        return pages
    }

    /// The preserved blocks in deserialization order.
    public func blocks(read: MemoryReader) throws -> [PreservedBlock] {
        var result: [PreservedBlock] = []
        try forEachBlock(read: read) { result.append($0) }
        return result
    }
}
