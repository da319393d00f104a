/// Memory the kho-v1 bitmap tracker lives in: words in physical memory, and
/// the allocations the kernel makes for it. An emulated machine implements
/// it so that the bitmaps and chunk pages are real bytes.
public protocol BitmapTrackerMemory {
    /// Reads the little-endian u64 at `phys` (8-byte aligned).
    func loadWord(at phys: UInt64) throws -> UInt64
    /// Writes the little-endian u64 at `phys` (8-byte aligned).
    mutating func storeWord(_ value: UInt64, at phys: UInt64) throws
    /// Allocates one zero-filled bitmap of `bytes` bytes and returns its phys
    /// (v1b: a whole page; v1a: a 512-byte slab object).
    mutating func allocateBitmap(bytes: Int) throws -> UInt64
    /// Allocates one zero-filled page for a `khoser_mem_chunk`.
    mutating func allocateChunkPage() throws -> UInt64
    /// Returns a chunk page of a serialization that failed.
    mutating func freeChunkPage(_ phys: UInt64) throws
}

/// What a bitmap-tracker removal found.
public enum BitmapRemoval: Equatable, Sendable {
    /// The bit was cleared (whether or not it was set, as in the kernel).
    case cleared(wasSet: Bool)
    /// No bitmap tree exists for the order (the kernel warns).
    case missingOrder
    /// The order has no bitmap covering the block (the kernel warns).
    case missingBitmap
}

/// The kho-v1 tracker's bookkeeping as the kernel keeps it while running
/// (6.16 – 7.0): per order, a sparse array of bitmaps; bitmap index =
/// (pfn >> order) / `PRESERVE_BITS`, bit = (pfn >> order) mod `PRESERVE_BITS`.
///
/// The index tables (the kernel's xarrays) are kernel-private and kept here;
/// the bitmaps themselves are memory (``BitmapTrackerMemory``). An order's
/// table is created on the first preserve at that order, before its bitmap
/// is allocated, and neither tables nor bitmaps are ever freed, so a bitmap
/// whose bits were all cleared is still serialized.
///
/// ``serialize(in:)`` is `kho_mem_serialize`: the linked list of
/// `khoser_mem_chunk` pages handed over at finalize (read back by
/// ``BitmapTrackerWalker``).
public struct BitmapTracker: Hashable, Sendable {
    public let geometry: PageGeometry
    public let variant: BitmapVariant
    /// Bitmap phys by bitmap index, by order.
    public private(set) var orders: [Int: [UInt64: UInt64]] = [:]

    public init(geometry: PageGeometry, variant: BitmapVariant) {
        self.geometry = geometry
        self.variant = variant
    }

    /// Bits per bitmap (`PRESERVE_BITS`).
    public var bitsPerBitmap: UInt64 { UInt64(geometry.preserveBits(variant)) }

    /// Bytes of one bitmap.
    public var bitmapBytes: Int { geometry.preserveBits(variant) / 8 }

    /// Every bitmap's phys, by order then index.
    public var bitmaps: [UInt64] {
        orders.keys.sorted().flatMap { order in orders[order]!.keys.sorted().map { orders[order]![$0]! } }
    }

    /// `__kho_preserve_order`: creates the order's table, allocates the
    /// bitmap if missing, sets the bit.
    public mutating func insert<M: BitmapTrackerMemory>(_ block: PreservedBlock, in memory: inout M) throws {
        let (index, bit) = position(block)
        var table = orders[block.order] ?? [:]
        orders[block.order] = table
        let bitmap: UInt64
        if let existing = table[index] {
            bitmap = existing
        } else {
            bitmap = try memory.allocateBitmap(bytes: bitmapBytes)
            table[index] = bitmap
            orders[block.order] = table
        }
        let word = bitmap + 8 * (bit / 64)
        try memory.storeWord(memory.loadWord(at: word) | (1 << (bit % 64)), at: word)
    }

    /// Clears the bit of `block`; never frees a table or a bitmap.
    public func remove<M: BitmapTrackerMemory>(_ block: PreservedBlock, in memory: inout M) throws -> BitmapRemoval {
        guard let table = orders[block.order] else { return .missingOrder }
        let (index, bit) = position(block)
        guard let bitmap = table[index] else { return .missingBitmap }
        let word = bitmap + 8 * (bit / 64)
        let value = try memory.loadWord(at: word)
        let mask: UInt64 = 1 << (bit % 64)
        try memory.storeWord(value & ~mask, at: word)
        return .cleared(wasSet: value & mask != 0)
    }

    /// The preserved blocks in the order the next kernel deserializes them:
    /// orders ascending, bitmaps by index, set bits ascending.
    public func blocks(read: MemoryReader) throws -> [PreservedBlock] {
        var result: [PreservedBlock] = []
        for order in orders.keys.sorted() {
            let shift = UInt64(order + geometry.pageShift)
            for (index, bitmap) in orders[order]!.sorted(by: { $0.key < $1.key }) {
                let start = physStart(index: index, order: order)
                for bit in try read(bitmap, bitmapBytes).setBitIndices() {
                    result.append(PreservedBlock(phys: start + (UInt64(bit) << shift), order: order))
                }
            }
        }
        return result
    }

    /// The result of ``serialize(in:)``.
    public struct Serialization: Hashable, Sendable {
        /// The first chunk's phys (`preserved-memory-map`), 0 when nothing
        /// was ever preserved.
        public var firstChunk: UInt64
        /// Every chunk page, in list order.
        public var chunks: [UInt64]
    }

    /// `kho_mem_serialize`: for each order that has a table, ascending, a
    /// new chunk page; its bitmaps by ascending index, a further chunk only
    /// when the current one is full and another bitmap follows. On an
    /// allocation failure the chunks written so far are freed and the error
    /// rethrown.
    public func serialize<M: BitmapTrackerMemory>(in memory: inout M) throws -> Serialization {
        var chunks: [UInt64] = []
        var count = 0
        do {
            for order in orders.keys.sorted() {
                try startChunk(order: order, chunks: &chunks, in: &memory)
                count = 0
                for (index, bitmap) in orders[order]!.sorted(by: { $0.key < $1.key }) {
                    if count == geometry.bitmapsPerChunk {
                        try startChunk(order: order, chunks: &chunks, in: &memory)
                        count = 0
                    }
                    let entry = chunks.last! + 16 + 16 * UInt64(count)
                    try memory.storeWord(physStart(index: index, order: order), at: entry)
                    try memory.storeWord(bitmap, at: entry + 8)
                    count += 1
                    try memory.storeWord(UInt64(order) | UInt64(count) << 32, at: chunks.last! + 8)
                }
            }
        } catch {
            for chunk in chunks { try memory.freeChunkPage(chunk) }
            throw error
        }
        return Serialization(firstChunk: chunks.first ?? 0, chunks: chunks)
    }

    /// `new_chunk`: a zeroed page with the order in its header, linked from
    /// the previous chunk.
    private func startChunk<M: BitmapTrackerMemory>(order: Int, chunks: inout [UInt64], in memory: inout M) throws {
        let chunk = try memory.allocateChunkPage()
        try memory.storeWord(UInt64(order), at: chunk + 8)
        if let previous = chunks.last { try memory.storeWord(chunk, at: previous) }
        chunks.append(chunk)
    }

    /// Bitmap index and bit of a block.
    private func position(_ block: PreservedBlock) -> (index: UInt64, bit: UInt64) {
        let high = (block.phys >> UInt64(geometry.pageShift)) >> UInt64(block.order)
        return (high / bitsPerBitmap, high % bitsPerBitmap)
    }

    /// phys covered by bit 0 of bitmap `index` of `order`.
    private func physStart(index: UInt64, order: Int) -> UInt64 {
        (index * bitsPerBitmap) << UInt64(order + geometry.pageShift)
    }
}
