import Crypto
import KHOABI

/// `kho_restore_vmalloc` over any memory: ``VmallocRestoreWalk`` reading
/// chunk pages and block bytes through a ``MemoryReader``, with the
/// kernel's page-restore rule (``PreservedHeads``), the area's SHA-256 and
/// a sink for its bytes. Ledger restores, image restores, import and the
/// audit all restore through it.
///
/// `heads` is the KHO page metadata the restoring kernel would hold (built
/// from the tracker walk or the ledger's preserved set); without it every
/// page counts as a preserved head and only a block or chunk listed twice
/// fails, as a second `kho_restore_pages` would. Nothing is allocated in
/// proportion to the untrusted `total_pages`: lists grow only with the
/// entries actually read, which the walk bounds by `total_pages`, and the
/// chain by the chunks actually present.
public struct VmallocRestorer {
    /// Receives the area's bytes in restore order, in pieces of at most
    /// ``pieceSize`` bytes. After an error it may have received a prefix of
    /// the area, which the caller discards.
    public typealias Sink = ([UInt8]) throws -> Void

    /// Largest piece read from memory (and handed to a sink) at once, so a
    /// huge block never becomes one giant buffer.
    public static let pieceSize = 1 << 20

    public let geometry: PageGeometry
    fileprivate let read: MemoryReader
    private let heads: PreservedHeads

    /// A restorer reading memory through `read`; `heads` is the restoring
    /// kernel's page metadata, `nil` to take every page as a preserved head.
    public init(geometry: PageGeometry, read: @escaping MemoryReader, heads: PreservedHeads? = nil) {
        self.geometry = geometry
        self.read = read
        self.heads = heads ?? .assumingEveryHead(geometry: geometry)
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
        guard let descriptor = try? VmallocDescriptor(unchecked: bytes) else { throw .descriptorLength(bytes.count) }
        return try restore(descriptor, into: sink)
    }

    /// Restores the area `descriptor` describes, sending its bytes to `sink`.
    public func restore(_ descriptor: VmallocDescriptor, into sink: Sink? = nil) throws(RestoreError) -> RestoredArea {
        var heads = self.heads
        let stream = BlockStream(read: read, size: geometry.bytes(order: Int(min(descriptor.order, 63))), sink: sink)
        defer { stream.cancel() }
        let walk = VmallocRestoreWalk(
            geometry: geometry,
            readChunk: { [read, geometry] phys in try read(phys, geometry.pageSize) },
            restorePages: { phys, count in heads.restorePages(phys, count: count).failure },
            takeBlock: { phys, chunk, slot throws(RestoreError) in try stream.take(phys, chunk: chunk, slot: slot) })
        let layout = try walk.run(descriptor)
        return RestoredArea(descriptor: descriptor, pageSize: geometry.pageSize, chunkPhys: layout.chunkPhys,
                            blockPhys: layout.blockPhys, sha256: try stream.finish())
    }
}

/// Reads restored blocks in pieces and hands them to a ``PieceConsumer``,
/// which hashes them and feeds the sink on the second core.
private final class BlockStream {
    let read: MemoryReader
    /// Bytes per block.
    let size: UInt64
    private let consumer: PieceConsumer

    init(read: @escaping MemoryReader, size: UInt64, sink: VmallocRestorer.Sink?) {
        self.read = read
        self.size = size
        consumer = PieceConsumer(sink: sink)
    }

    func take(_ phys: UInt64, chunk: Int, slot: Int) throws(RestoreError) {
        var offset: UInt64 = 0
        while offset < size {
            let count = Int(min(size - offset, UInt64(VmallocRestorer.pieceSize)))
            let piece: [UInt8]
            do {
                piece = try read(phys + offset, count)
            } catch {
                throw .unreadableBlock(chunk: chunk, slot: slot, phys: phys, reason: "\(error)")
            }
            guard piece.count == count else {
                throw .unreadableBlock(chunk: chunk, slot: slot, phys: phys, reason: "read returned \(piece.count) of \(count) bytes")
            }
            try consumer.put(piece)
            offset += UInt64(count)
        }
    }

    /// Lowercase hex SHA-256 of every byte taken, once the sink has had them all.
    func finish() throws(RestoreError) -> String { try consumer.finish() }

    /// Stops the consumer (a no-op after ``finish()``).
    func cancel() { consumer.cancel() }
}
