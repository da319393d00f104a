/// `struct kho_vmalloc_chunk`: one page listing the blocks of a vmalloc area.
///
/// | field | offset | size |
/// |---|---|---|
/// | hdr.next (phys of the next chunk page, 0 = last) | 0 | 8 |
/// | phys[0 ..< K] | 8 | 8 × K |
///
/// K = ``PageGeometry/vmallocChunkEntries``. The array ends at the first 0
/// entry or at index K: a full chunk has no terminator. A block at physical
/// address 0 therefore cannot be listed.
public struct VmallocChunk: Hashable, Sendable {
    /// Physical address of the next chunk page, 0 for the last chunk.
    public var next: UInt64
    /// Physical addresses of the first page of each block, in area order.
    public var entries: [UInt64]

    public init(next: UInt64, entries: [UInt64]) {
        self.next = next
        self.entries = entries
    }

    /// Decodes one chunk page.
    ///
    /// Reads entries up to the first 0 or index K, like the kernel; slots after
    /// the terminator are ignored. Rejects a buffer that is not one page, a
    /// `next` pointer or entry that is not page aligned.
    public init(bytes: some Collection<UInt8>, geometry: PageGeometry) throws(KHOABIError) {
        let b = Array(bytes)
        guard b.count == geometry.pageSize else {
            throw .wrongLength(structure: "kho_vmalloc_chunk", expected: geometry.pageSize, actual: b.count)
        }
        let pageMask = UInt64(geometry.pageSize - 1)
        next = b.loadLittleEndian(UInt64.self, at: 0)
        guard next & pageMask == 0 else {
            throw .misalignedAddress(field: "kho_vmalloc_chunk.next", address: next, alignment: pageMask + 1)
        }
        var entries: [UInt64] = []
        for index in 0..<geometry.vmallocChunkEntries {
            let phys = b.loadLittleEndian(UInt64.self, at: 8 + 8 * index)
            if phys == 0 { break }
            guard phys & pageMask == 0 else {
                throw .misalignedAddress(field: "kho_vmalloc_chunk.phys[\(index)]", address: phys, alignment: pageMask + 1)
            }
            entries.append(phys)
        }
        self.entries = entries
    }

    /// The chunk as one zero-filled page: `next`, the entries, zeros after.
    ///
    /// Throws when there are more entries than fit in a page or an entry is 0
    /// (it would read back as the terminator).
    public func encode(geometry: PageGeometry) throws(KHOABIError) -> [UInt8] {
        guard entries.count <= geometry.vmallocChunkEntries else {
            throw .invalidField(structure: "kho_vmalloc_chunk", field: "entries", value: UInt64(entries.count))
        }
        if let index = entries.firstIndex(of: 0) {
            throw .invalidField(structure: "kho_vmalloc_chunk", field: "phys[\(index)]", value: 0)
        }
        var page = [UInt8](repeating: 0, count: geometry.pageSize)
        page.storeLittleEndian(next, at: 0)
        for (index, phys) in entries.enumerated() {
            page.storeLittleEndian(phys, at: 8 + 8 * index)
        }
        return page
    }

    /// True when every slot is used (the chunk has no terminator).
    public func isFull(geometry: PageGeometry) -> Bool {
        entries.count == geometry.vmallocChunkEntries
    }
}
