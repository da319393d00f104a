import KHOABI
import KHOArtifacts
import KHOMachine

/// Where everything of the synthetic capture lies, and its metadata pages.
public struct SyntheticLayout: Sendable {
    /// Physical address of the first byte of RAM.
    public static let base: UInt64 = 0x1_0000_0000
    public static let geometry = PageGeometry.kib4
    /// The subtree whose blob holds the huge area's descriptor.
    public static let areaName = "bulk"

    /// Bytes of RAM.
    public let memory: UInt64
    /// Bytes of preserved data (half huge area, half page runs).
    public let preserved: UInt64
    let pageSize = UInt64(SyntheticLayout.geometry.pageSize)

    /// A layout, or nil unless 8 MiB ≤ `preserved` ≤ `memory` / 4.
    public init?(memory: UInt64, preserved: UInt64) {
        guard preserved >= 8 << 20, preserved * 4 <= memory else { return nil }
        self.memory = memory
        self.preserved = preserved
    }
    /// Order-9 blocks of the huge area.
    var hugeBlocks: Int { Int((preserved / 2) >> 21) }
    /// Start of the order-0 page runs.
    var pagesStart: UInt64 { SyntheticLayout.base + memory / 2 }
    /// The top 64 MiB: chunk pages, then descriptor, FDT and tracker pages.
    var metadata: UInt64 { SyntheticLayout.base + memory - (64 << 20) }
    var chunkCount: Int { hugeBlocks / SyntheticLayout.geometry.vmallocChunkEntries + 1 }
    /// Where the huge area's descriptor lives.
    public var descriptor: UInt64 { metadata + UInt64(chunkCount) * pageSize }
    var fdtPhys: UInt64 { descriptor + pageSize }
    var trackerRoot: UInt64 { fdtPhys + pageSize }

    /// Every preserved block.
    public var blocks: [PreservedBlock] {
        let huge = (0..<hugeBlocks).map { PreservedBlock(phys: SyntheticLayout.base + UInt64($0) * (4 << 20), order: 9) }
        let pages = (0..<Int(preserved / 2 / pageSize)).map { (index: Int) -> PreservedBlock in
            let slot = UInt64(index / 16 * 32 + index % 16)
            return PreservedBlock(phys: pagesStart + slot * pageSize, order: 0)
        }
        let meta = (0..<chunkCount + 2).map { PreservedBlock(phys: metadata + UInt64($0) * pageSize, order: 0) }
        return huge + pages + meta
    }

    /// True for a page of a preserved data block (not metadata).
    func isData(_ page: UInt64) -> Bool {
        let offset = page - SyntheticLayout.base
        if offset < preserved { return (offset >> 21) % 2 == 0 && Int(offset >> 22) < hugeBlocks }
        guard page >= pagesStart, page < pagesStart + preserved else { return false }
        return ((page - pagesStart) / pageSize / 16) % 2 == 0
    }

    /// The kho-v3 root FDT.
    public func fdt() throws -> [UInt8] {
        try KHORootFDT(generation: .v3, preservedMemoryMap: trackerRoot,
                       subtrees: [KHOSubtree(name: "bulk", phys: descriptor, size: UInt64(VmallocDescriptor.size))])
            .encode(pageSize: Int(pageSize))
    }

    /// The metadata pages and the tracker, and a reader over all of RAM.
    public func image() throws -> SyntheticImage {
        var pages: [UInt64: [UInt8]] = [:]
        let entries = SyntheticLayout.geometry.vmallocChunkEntries
        for chunk in 0..<chunkCount {
            var page = [UInt8](repeating: 0, count: Int(pageSize))
            if chunk + 1 < chunkCount { page.storeLittleEndian(metadata + UInt64(chunk + 1) * pageSize, at: 0) }
            for (slot, block) in (chunk * entries ..< min(hugeBlocks, (chunk + 1) * entries)).enumerated() {
                page.storeLittleEndian(SyntheticLayout.base + UInt64(block) * (4 << 20), at: 8 + 8 * slot)
            }
            pages[metadata + UInt64(chunk) * pageSize] = page
        }
        let descriptorBytes = VmallocDescriptor(first: metadata, totalPages: UInt32(hugeBlocks << 9), flags: [.alloc, .hugeVmap], order: 9).encode()
        pages[descriptor] = descriptorBytes + [UInt8](repeating: 0, count: Int(pageSize) - descriptorBytes.count)
        let tree = try fdt()
        pages[fdtPhys] = tree + [UInt8](repeating: 0, count: Int(pageSize) - tree.count)
        let ram = SyntheticLayout.base ..< SyntheticLayout.base + memory
        let preserved = blocks
        let used = [metadata ..< trackerRoot + pageSize]
            + preserved.map { $0.phys ..< $0.phys + SyntheticLayout.geometry.bytes(order: $0.order) }
        let tracker = try RebuiltTracker(blocks: preserved, root: trackerRoot, geometry: SyntheticLayout.geometry,
                                         free: FreePages(memory: ram, used: used, pageSize: Int(pageSize)))
        pages.merge(tracker.pages) { _, node in node }
        return SyntheticImage(layout: self, pages: pages, mappedRanges: [ram])
    }
}
