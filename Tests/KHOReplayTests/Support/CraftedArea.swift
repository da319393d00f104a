import KHOABI
import KHOReplay
import KHOTestSupport

/// A vmalloc area laid out in ``CraftedMemory``: descriptor at
/// ``descriptorPhys``, chunk pages from ``chunkBase`` on, blocks of `order`
/// from ``blockBase`` on, each block filled with its own byte pattern, every
/// chunk page and block preserved. Tests then break one thing.
struct CraftedArea {
    static let descriptorPhys: UInt64 = 0x10000
    static let chunkBase: UInt64 = 0x20000
    static let blockBase: UInt64 = 0x800000

    var memory = CraftedMemory()
    let order: Int
    private(set) var chunkPhys: [UInt64] = []
    private(set) var blockPhys: [UInt64] = []

    /// Chunk `i` lists `blocksPerChunk[i]` blocks; `total_pages` counts them all.
    init(blocksPerChunk: [Int], order: Int = 0) {
        self.order = order
        let blockBytes = CraftedMemory.geometry.bytes(order: order)
        chunkPhys = blocksPerChunk.indices.map { Self.chunkBase + UInt64($0) * CraftedMemory.pageSize }
        for (index, count) in blocksPerChunk.enumerated() {
            let blocks = (0 ..< count).map { Self.blockBase + UInt64(blockPhys.count + $0) * blockBytes }
            blockPhys += blocks
            let next = index + 1 < chunkPhys.count ? chunkPhys[index + 1] : 0
            memory.write(try! VmallocChunk(next: next, entries: blocks).encode(geometry: CraftedMemory.geometry), at: chunkPhys[index])
            memory.preserved.insert(PreservedBlock(phys: chunkPhys[index], order: 0))
            for block in blocks {
                memory.write(Self.content(of: block, bytes: Int(blockBytes)), at: block)
                memory.preserved.insert(PreservedBlock(phys: block, order: order))
            }
        }
        writeDescriptor(first: chunkPhys.first ?? 0, totalPages: UInt32(blockPhys.count << order), order: UInt16(order))
    }

    /// Overwrites the descriptor.
    mutating func writeDescriptor(first: UInt64, totalPages: UInt32, order: UInt16, flags: VmallocFlags = .alloc) {
        memory.write(VmallocDescriptor(first: first, totalPages: totalPages, flags: flags, order: order).encode(), at: Self.descriptorPhys)
    }

    /// Overwrites chunk `chunk`'s `next` pointer.
    mutating func setNext(ofChunk chunk: Int, to phys: UInt64) {
        memory.store(phys, at: chunkPhys[chunk])
    }

    /// Overwrites entry `slot` of chunk `chunk`.
    mutating func setEntry(chunk: Int, slot: Int, to phys: UInt64) {
        memory.store(phys, at: chunkPhys[chunk] + 8 + 8 * UInt64(slot))
    }

    /// Restores the area through the crafted pages, with the preserved check
    /// unless `checked` is false.
    func restore(checked: Bool = true, abi: ABIGeneration = .v3, into sink: VmallocRestorer.Sink? = nil) throws(RestoreError) -> RestoredArea {
        try restorer(read: memory.reader, checked: checked, abi: abi).restore(descriptorAt: Self.descriptorPhys, into: sink)
    }

    /// A restorer over `read` with (or without) the page metadata a kernel
    /// of `abi` writes for this area's preserved set.
    func restorer(read: @escaping MemoryReader, checked: Bool = true, abi: ABIGeneration = .v3) -> VmallocRestorer {
        let geometry = CraftedMemory.geometry
        let heads = PreservedHeads(tracker: memory.preserved, geometry: geometry, abi: abi, maxPageOrder: geometry.maxPageOrder)
        return VmallocRestorer(geometry: geometry, read: read, heads: checked ? heads : nil)
    }

    /// The bytes the block at `phys` holds.
    static func content(of phys: UInt64, bytes: Int) -> [UInt8] {
        (0 ..< bytes).map { UInt8(truncatingIfNeeded: $0 / 7 &+ Int(phys >> 12) &* 13) }
    }

    /// The area's bytes in restore order.
    var expectedBytes: [UInt8] {
        let blockBytes = Int(CraftedMemory.geometry.bytes(order: order))
        return blockPhys.flatMap { Self.content(of: $0, bytes: blockBytes) }
    }
}
