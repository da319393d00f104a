/// The chain of chunk pages `kho_preserve_vmalloc` builds for an area.
///
/// A new chunk page is allocated as soon as the current one becomes full,
/// even when no block follows, so an area of E blocks always has
/// `E / K + 1` chunk pages and, when E is a multiple of K, the last one is
/// all zero (next = 0, phys[0] = 0).
public enum VmallocChunkChain {
    /// Chunk pages needed for `blockCount` blocks.
    public static func chunkCount(blockCount: Int, geometry: PageGeometry) -> Int {
        blockCount / geometry.vmallocChunkEntries + 1
    }

    /// Lays out `blocks` over chunk pages at `chunkPhys` (in chain order).
    ///
    /// - Throws: `.invalidField` when `chunkPhys.count` is not
    ///   ``chunkCount(blockCount:geometry:)``.
    public static func layout(blocks: [UInt64], chunkPhys: [UInt64], geometry: PageGeometry) throws(KHOABIError) -> [VmallocChunk] {
        let k = geometry.vmallocChunkEntries
        let expected = chunkCount(blockCount: blocks.count, geometry: geometry)
        guard chunkPhys.count == expected else {
            throw .invalidField(structure: "vmalloc chunk chain", field: "chunk count", value: UInt64(chunkPhys.count))
        }
        return chunkPhys.indices.map { index in
            let start = index * k
            let end = min(start + k, blocks.count)
            return VmallocChunk(
                next: index + 1 < chunkPhys.count ? chunkPhys[index + 1] : 0,
                entries: start < end ? Array(blocks[start..<end]) : []
            )
        }
    }
}
