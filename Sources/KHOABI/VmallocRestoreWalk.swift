/// `kho_restore_vmalloc(desc)`: the kernel's walk over a descriptor's chunk
/// list, written once and used by the emulator, by restores of recorded and
/// captured handovers, by the audit and by import (KHO-ABI.md §3.6, §11.4).
///
/// The walk makes the kernel's checks in the kernel's order and leaves every
/// effect to its caller through three functions: reading a chunk page,
/// `kho_restore_pages` of a range (usually ``PreservedHeads``), and taking a
/// restored block's pages. For each chunk, starting at `first`:
///
/// 1. each entry until the first 0 (at most K per chunk): the running page
///    count plus 2^order must not exceed `total_pages`
///    (``RestoreError/tooManyPages(chunk:slot:phys:totalPages:)``); then
///    `kho_restore_pages(entry, 2^order)` must succeed
///    (``RestoreError/notRestorable(chunk:slot:failure:)``); the block is taken;
/// 2. then `kho_restore_pages(chunk, 1)` of the chunk page itself; the walk
///    reads `next` and hands the chunk page back (the kernel frees it).
///
/// After the list: the pages listed must equal `total_pages`
/// (``RestoreError/pageCountMismatch(listed:totalPages:)``), and an area of 0
/// pages cannot be mapped (``RestoreError/emptyArea``). The descriptor's
/// order is not checked against any maximum, as in the kernel: an order
/// that cannot fit `total_pages` fails the first entry, and a huge order the
/// tracker holds restores (7.1+ kernels check only the head page's magic).
/// Nothing is rolled back on failure.
///
/// What the kernel cannot survive is refused besides: a chunk pointer that
/// is not page aligned or that the reader cannot serve, and a chunk list
/// that comes back to a chunk it visited (which the kernel would detect only
/// when restoring that chunk's first entry a second time).
public struct VmallocRestoreWalk {
    /// Reads one whole chunk page at a physical address.
    public typealias ReadChunk = (_ phys: UInt64) throws -> [UInt8]
    /// `kho_restore_pages(phys, count)`: nil on success, else why it returned NULL.
    public typealias RestorePages = (_ phys: UInt64, _ count: UInt64) -> PageRestoreFailure?
    /// Takes the pages of a restored block from its first page (`chunk`,
    /// `slot`: where it was listed).
    public typealias TakeBlock = (_ phys: UInt64, _ chunk: Int, _ slot: Int) throws(RestoreError) -> Void
    /// Receives a chunk page once it is restored and read (index, phys, bytes).
    public typealias ChunkDone = (_ index: Int, _ phys: UInt64, _ page: [UInt8]) -> Void

    /// Where the walked area's pages came from.
    public struct Layout: Hashable, Sendable {
        /// Every chunk page, in chain order (a trailing empty chunk included).
        public var chunkPhys: [UInt64] = []
        /// Every block's first page, in area order.
        public var blockPhys: [UInt64] = []
    }

    public let geometry: PageGeometry
    private let readChunk: ReadChunk
    private let restorePages: RestorePages
    private let takeBlock: TakeBlock
    private let chunkDone: ChunkDone

    /// A walk over `geometry`'s chunk layout with the caller's effects.
    public init(geometry: PageGeometry, readChunk: @escaping ReadChunk, restorePages: @escaping RestorePages,
                takeBlock: @escaping TakeBlock = { _, _, _ in }, chunkDone: @escaping ChunkDone = { _, _, _ in }) {
        self.geometry = geometry
        self.readChunk = readChunk
        self.restorePages = restorePages
        self.takeBlock = takeBlock
        self.chunkDone = chunkDone
    }

    /// Walks the area `descriptor` describes.
    public func run(_ descriptor: VmallocDescriptor) throws(RestoreError) -> Layout {
        let totalPages = UInt64(descriptor.totalPages)
        // 2^order pages per block; an order of 64 or more cannot fit any total_pages.
        let contig: UInt64? = descriptor.order < 64 ? UInt64(1) << UInt64(descriptor.order) : nil
        var layout = Layout()
        var seen: [UInt64: Int] = [:]
        var listed: UInt64 = 0
        var next = descriptor.first
        while next != 0 {
            let index = layout.chunkPhys.count
            let chunk = next
            guard geometry.isAligned(chunk, order: 0) else { throw .misalignedChunk(index: index, phys: chunk) }
            if let first = seen[chunk] { throw .chunkCycle(index: index, phys: chunk, firstSeenAt: first) }
            seen[chunk] = index
            layout.chunkPhys.append(chunk)
            let page = try read(chunk: chunk, index: index)
            for slot in 0..<geometry.vmallocChunkEntries {
                let block = page.loadLittleEndian(UInt64.self, at: 8 + 8 * slot)
                if block == 0 { break }
                guard let contig, listed + contig <= totalPages else {
                    throw .tooManyPages(chunk: index, slot: slot, phys: block, totalPages: descriptor.totalPages)
                }
                if let failure = restorePages(block, contig) {
                    throw .notRestorable(chunk: index, slot: slot, failure: failure)
                }
                // The kernel maps the pages from the entry's page on: its low bits are ignored.
                let first = block & ~UInt64(geometry.pageSize - 1)
                try takeBlock(first, index, slot)
                layout.blockPhys.append(first)
                listed += contig
            }
            if let failure = restorePages(chunk, 1) {
                throw .notRestorable(chunk: index, slot: nil, failure: failure)
            }
            next = page.loadLittleEndian(UInt64.self, at: 0)
            chunkDone(index, chunk, page)
        }
        guard listed == totalPages else { throw .pageCountMismatch(listed: listed, totalPages: descriptor.totalPages) }
        guard totalPages > 0 else { throw .emptyArea }
        return layout
    }

    private func read(chunk phys: UInt64, index: Int) throws(RestoreError) -> [UInt8] {
        let page: [UInt8]
        do {
            page = try readChunk(phys)
        } catch {
            throw .unreadableChunk(index: index, phys: phys, reason: "\(error)")
        }
        guard page.count == geometry.pageSize else {
            throw .unreadableChunk(index: index, phys: phys, reason: "read returned \(page.count) of \(geometry.pageSize) bytes")
        }
        return page
    }
}
