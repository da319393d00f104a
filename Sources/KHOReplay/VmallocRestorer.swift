import Crypto
import KHOABI

/// `kho_restore_vmalloc` over any memory: the one restore walk used for
/// ledger restores, image restores and audits.
///
/// Walks the descriptor's chunk list through the bytes (every chunk page is
/// read through the ``MemoryReader``) with the kernel's checks in the
/// kernel's order (KHO-ABI §3.6):
///
/// 1. flags are translated with unknown bits ignored (``RestoredArea/flags``);
/// 2. per chunk entry: the running page count plus 2^order must not exceed
///    `total_pages` (``RestoreError/tooManyPages(chunk:slot:phys:totalPages:)``),
///    then the block must be preserved at the descriptor's order;
/// 3. after its entries, the chunk page itself must be preserved at order 0;
/// 4. the pages listed must equal `total_pages`
///    (``RestoreError/pageCountMismatch(listed:totalPages:)``, which also
///    covers `first` = 0 with pages declared).
///
/// On top of that it rejects what the kernel cannot survive: an order above
/// ``PageGeometry/maxPageOrder``, misaligned chunk pointers and blocks, chunk
/// lists that revisit a chunk, and pointers the reader cannot serve (holes,
/// outside the image). Nothing is allocated in proportion to the untrusted
/// `total_pages`: lists grow only with the entries actually read, which step 2
/// bounds by `total_pages`, and the chain by the chunks actually present.
///
/// The preserved check is the caller's: a closure answering whether a block
/// is in the tracker at exactly that order (stricter than 7.1 kernels, which
/// look only for the KHO magic in the head page); without one it is skipped.
/// A block or chunk page listed twice fails like a second `kho_restore_pages`
/// does (``RestoreError/alreadyRestored(chunk:slot:phys:)``), with or without
/// the check, so the bytes a restore reads never exceed the distinct pages
/// the input really holds.
public struct VmallocRestorer {
    /// Receives the area's bytes in restore order, in pieces of at most
    /// ``pieceSize`` bytes. After an error it may have received a prefix of
    /// the area, which the caller discards.
    public typealias Sink = ([UInt8]) throws -> Void
    /// True when `block` is in the preserved-memory tracker at exactly its order.
    public typealias PreservedCheck = (PreservedBlock) -> Bool

    /// Largest piece read from memory (and handed to a sink) at once, so a
    /// huge block never becomes one giant buffer.
    public static let pieceSize = 1 << 20

    public let geometry: PageGeometry
    fileprivate let read: MemoryReader
    fileprivate let isPreserved: PreservedCheck?

    /// A restorer reading memory through `read`; `isPreserved` is the
    /// kernel's preserved-at-order check, `nil` to skip it.
    public init(geometry: PageGeometry, read: @escaping MemoryReader, isPreserved: PreservedCheck? = nil) {
        self.geometry = geometry
        self.read = read
        self.isPreserved = isPreserved
    }

    /// Restores the area whose 16-byte descriptor is at physical `phys`
    /// (which need only be readable, not aligned: kho-v1 keeps descriptors
    /// in FDT properties).
    public func restore(descriptorAt phys: UInt64, into sink: Sink? = nil) throws(RestoreError) -> RestoredArea {
        let bytes: [UInt8]
        do {
            bytes = try read(phys, VmallocDescriptor.size)
        } catch {
            throw .unreadableDescriptor(phys: phys, reason: "\(error)")
        }
        return try restore(descriptorBytes: bytes, into: sink)
    }

    /// Restores the area described by 16 descriptor bytes. The bytes are
    /// decoded without checks; the walk makes them.
    public func restore(descriptorBytes bytes: [UInt8], into sink: Sink? = nil) throws(RestoreError) -> RestoredArea {
        guard bytes.count == VmallocDescriptor.size else { throw .descriptorLength(bytes.count) }
        let descriptor = VmallocDescriptor(first: bytes.loadLittleEndian(UInt64.self, at: 0),
                                           totalPages: bytes.loadLittleEndian(UInt32.self, at: 8),
                                           flags: VmallocFlags(rawValue: bytes.loadLittleEndian(UInt16.self, at: 12)),
                                           order: bytes.loadLittleEndian(UInt16.self, at: 14))
        return try restore(descriptor, into: sink)
    }

    /// Restores the area `descriptor` describes, sending its bytes to `sink`.
    public func restore(_ descriptor: VmallocDescriptor, into sink: Sink? = nil) throws(RestoreError) -> RestoredArea {
        guard Int(descriptor.order) <= geometry.maxPageOrder else {
            throw .orderTooLarge(order: Int(descriptor.order), maximum: geometry.maxPageOrder)
        }
        var walk = RestoreWalk(restorer: self, descriptor: descriptor, sink: sink)
        var next = descriptor.first
        while next != 0 {
            next = try walk.visitChunk(at: next)
        }
        return try walk.finish()
    }
}

/// The state of one restore: chunks and blocks seen so far, pages listed,
/// the running hash.
private struct RestoreWalk {
    let restorer: VmallocRestorer
    let descriptor: VmallocDescriptor
    let sink: VmallocRestorer.Sink?
    private var chunkIndex: [UInt64: Int] = [:]
    private var chunks: [UInt64] = []
    private var blocks: [UInt64] = []
    /// Head pages restored so far.
    private var restored: Set<UInt64> = []
    private var listedPages: UInt64 = 0
    private var hasher = SHA256()

    init(restorer: VmallocRestorer, descriptor: VmallocDescriptor, sink: VmallocRestorer.Sink?) {
        self.restorer = restorer
        self.descriptor = descriptor
        self.sink = sink
    }

    private var geometry: PageGeometry { restorer.geometry }
    private var order: Int { Int(descriptor.order) }

    /// Restores every entry of the chunk at `phys`, then the chunk page
    /// itself; returns its `next` pointer.
    mutating func visitChunk(at phys: UInt64) throws(RestoreError) -> UInt64 {
        let index = chunks.count
        guard geometry.isAligned(phys, order: 0) else { throw .misalignedChunk(index: index, phys: phys) }
        if let first = chunkIndex[phys] { throw .chunkCycle(index: index, phys: phys, firstSeenAt: first) }
        chunkIndex[phys] = index
        chunks.append(phys)
        let page = try readChunk(index: index, phys: phys)
        for slot in 0..<geometry.vmallocChunkEntries {
            let block = page.loadLittleEndian(UInt64.self, at: 8 + 8 * slot)
            if block == 0 { break }
            try visitBlock(block, chunk: index, slot: slot)
        }
        try restorePages(PreservedBlock(phys: phys, order: 0), chunk: index, slot: nil)
        return page.loadLittleEndian(UInt64.self, at: 0)
    }

    /// The kernel's checks of one entry, then its bytes.
    private mutating func visitBlock(_ phys: UInt64, chunk: Int, slot: Int) throws(RestoreError) {
        let pages = UInt64(1) << UInt64(order)
        guard listedPages + pages <= UInt64(descriptor.totalPages) else {
            throw .tooManyPages(chunk: chunk, slot: slot, phys: phys, totalPages: descriptor.totalPages)
        }
        guard geometry.isAligned(phys, order: order) else {
            throw .misalignedBlock(chunk: chunk, slot: slot, phys: phys, order: order)
        }
        try restorePages(PreservedBlock(phys: phys, order: order), chunk: chunk, slot: slot)
        try stream(block: phys, chunk: chunk, slot: slot)
        blocks.append(phys)
        listedPages += pages
    }

    /// `kho_restore_pages`: the block must be preserved at its order and not
    /// restored before.
    private mutating func restorePages(_ block: PreservedBlock, chunk: Int, slot: Int?) throws(RestoreError) {
        if let isPreserved = restorer.isPreserved, !isPreserved(block) {
            throw .notPreserved(chunk: chunk, slot: slot, phys: block.phys, order: block.order)
        }
        guard restored.insert(block.phys).inserted else {
            throw .alreadyRestored(chunk: chunk, slot: slot, phys: block.phys)
        }
    }

    private func readChunk(index: Int, phys: UInt64) throws(RestoreError) -> [UInt8] {
        let page: [UInt8]
        do {
            page = try restorer.read(phys, geometry.pageSize)
        } catch {
            throw .unreadableChunk(index: index, phys: phys, reason: "\(error)")
        }
        guard page.count == geometry.pageSize else {
            throw .unreadableChunk(index: index, phys: phys, reason: "read returned \(page.count) of \(geometry.pageSize) bytes")
        }
        return page
    }

    /// Reads the block in pieces, hashing each and handing it to the sink.
    private mutating func stream(block phys: UInt64, chunk: Int, slot: Int) throws(RestoreError) {
        let size = geometry.bytes(order: order)
        var offset: UInt64 = 0
        while offset < size {
            let count = Int(min(size - offset, UInt64(VmallocRestorer.pieceSize)))
            let piece: [UInt8]
            do {
                piece = try restorer.read(phys + offset, count)
            } catch {
                throw .unreadableBlock(chunk: chunk, slot: slot, phys: phys, reason: "\(error)")
            }
            guard piece.count == count else {
                throw .unreadableBlock(chunk: chunk, slot: slot, phys: phys, reason: "read returned \(piece.count) of \(count) bytes")
            }
            hasher.update(data: piece)
            if let sink {
                do {
                    try sink(piece)
                } catch {
                    throw .outputFailed(reason: "\(error)")
                }
            }
            offset += UInt64(count)
        }
    }

    /// The kernel's final count check, then the result.
    func finish() throws(RestoreError) -> RestoredArea {
        guard listedPages == UInt64(descriptor.totalPages) else {
            throw .pageCountMismatch(listed: listedPages, totalPages: descriptor.totalPages)
        }
        let digest = hasher.finalize().map { byte in
            let digits = String(byte, radix: 16)
            return byte < 0x10 ? "0" + digits : digits
        }.joined()
        return RestoredArea(descriptor: descriptor, pageSize: geometry.pageSize, chunkPhys: chunks, blockPhys: blocks, sha256: digest)
    }
}
