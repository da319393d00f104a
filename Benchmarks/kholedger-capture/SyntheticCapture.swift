import Foundation
import KHOABI
import KHOArtifacts
import KHOImage
import KHOMachine

/// `kholedger-capture`: writes a synthetic KHO capture for import
/// measurements: an ELF core covering all of RAM in one `PT_LOAD` (a sparse
/// file: memory nobody preserved is a hole), its kho-v3 root FDT, and the
/// `kholedger import` command that reads them.
///
///     swift run -c release kholedger-capture DIR [--memory-gib N] [--preserved-gib N]
///
/// Layout (4 KiB pages, RAM at 4 GiB): half of the preserved memory is a
/// huge vmalloc area (order-9 blocks in every other 2 MiB slot from the
/// start of RAM, its descriptor in the blob of subtree `bulk`), half is
/// order-0 pages in runs of 16 with 16-page gaps from the middle of RAM;
/// chunk pages, descriptor, root FDT and tracker nodes sit in the top
/// 64 MiB. Preserved pages hold random bytes, seeded by their address.
@main
struct SyntheticCapture {
    static let base: UInt64 = 0x1_0000_0000
    static let geometry = PageGeometry.kib4

    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let directory = arguments.first, !directory.hasPrefix("--") else {
            print("usage: kholedger-capture DIR [--memory-gib N] [--preserved-gib N]")
            exit(2)
        }
        func gib(_ option: String, _ fallback: UInt64) -> UInt64 {
            guard let index = arguments.firstIndex(of: option), index + 1 < arguments.count, let value = UInt64(arguments[index + 1]) else {
                return fallback
            }
            return value << 30
        }
        let layout = Layout(memory: gib("--memory-gib", 4 << 30), preserved: gib("--preserved-gib", 1 << 30))
        guard layout.preserved >= 8 << 20, layout.preserved * 4 <= layout.memory else {
            print("error: the preserved memory must be at least 8 MiB and at most a quarter of memory")
            exit(2)
        }
        let image = try layout.image()
        let elf = URL(fileURLWithPath: directory).appendingPathComponent("capture.elf").path
        let dtb = URL(fileURLWithPath: directory).appendingPathComponent("capture.dtb").path
        try ElfCoreWriter(alignment: geometry.pageSize).write(ranges: image.mappedRanges, from: image, toPath: elf)
        let fdt = try OutputFile(path: dtb)
        try fdt.append(layout.fdt())
        try fdt.commit()
        print("wrote \(elf) (\(layout.memory >> 30) GiB of RAM, \(layout.preserved >> 20) MiB preserved) and \(dtb)")
        print("kholedger import --fdt \(dtb) --image \(elf) --vmalloc bulk=\(hex(layout.descriptor))")
    }
}

/// Where everything of the synthetic capture lies, and its metadata pages.
struct Layout {
    let memory: UInt64
    let preserved: UInt64
    let pageSize = UInt64(SyntheticCapture.geometry.pageSize)
    /// Order-9 blocks of the huge area.
    var hugeBlocks: Int { Int((preserved / 2) >> 21) }
    /// Start of the order-0 page runs.
    var pagesStart: UInt64 { SyntheticCapture.base + memory / 2 }
    /// The top 64 MiB: chunk pages, then descriptor, FDT and tracker pages.
    var metadata: UInt64 { SyntheticCapture.base + memory - (64 << 20) }
    var chunkCount: Int { hugeBlocks / SyntheticCapture.geometry.vmallocChunkEntries + 1 }
    var descriptor: UInt64 { metadata + UInt64(chunkCount) * pageSize }
    var fdtPhys: UInt64 { descriptor + pageSize }
    var trackerRoot: UInt64 { fdtPhys + pageSize }

    /// Every preserved block.
    var blocks: [PreservedBlock] {
        let huge = (0..<hugeBlocks).map { PreservedBlock(phys: SyntheticCapture.base + UInt64($0) * (4 << 20), order: 9) }
        let pages = (0..<Int(preserved / 2 / pageSize)).map { (index: Int) -> PreservedBlock in
            let slot = UInt64(index / 16 * 32 + index % 16)
            return PreservedBlock(phys: pagesStart + slot * pageSize, order: 0)
        }
        let meta = (0..<chunkCount + 2).map { PreservedBlock(phys: metadata + UInt64($0) * pageSize, order: 0) }
        return huge + pages + meta
    }

    /// True for a page of a preserved data block (not metadata).
    func isData(_ page: UInt64) -> Bool {
        let offset = page - SyntheticCapture.base
        if offset < preserved { return (offset >> 21) % 2 == 0 && Int(offset >> 22) < hugeBlocks }
        guard page >= pagesStart, page < pagesStart + preserved else { return false }
        return ((page - pagesStart) / pageSize / 16) % 2 == 0
    }

    func fdt() throws -> [UInt8] {
        try KHORootFDT(generation: .v3, preservedMemoryMap: trackerRoot,
                       subtrees: [KHOSubtree(name: "bulk", phys: descriptor, size: UInt64(VmallocDescriptor.size))])
            .encode(pageSize: Int(pageSize))
    }

    /// The metadata pages and the tracker, and a reader over all of RAM.
    func image() throws -> SyntheticImage {
        var pages: [UInt64: [UInt8]] = [:]
        let entries = SyntheticCapture.geometry.vmallocChunkEntries
        for chunk in 0..<chunkCount {
            var page = [UInt8](repeating: 0, count: Int(pageSize))
            if chunk + 1 < chunkCount { page.storeLittleEndian(metadata + UInt64(chunk + 1) * pageSize, at: 0) }
            for (slot, block) in (chunk * entries ..< min(hugeBlocks, (chunk + 1) * entries)).enumerated() {
                page.storeLittleEndian(SyntheticCapture.base + UInt64(block) * (4 << 20), at: 8 + 8 * slot)
            }
            pages[metadata + UInt64(chunk) * pageSize] = page
        }
        let descriptorBytes = VmallocDescriptor(first: metadata, totalPages: UInt32(hugeBlocks << 9), flags: [.alloc, .hugeVmap], order: 9).encode()
        pages[descriptor] = descriptorBytes + [UInt8](repeating: 0, count: Int(pageSize) - descriptorBytes.count)
        let tree = try fdt()
        pages[fdtPhys] = tree + [UInt8](repeating: 0, count: Int(pageSize) - tree.count)
        let ram = SyntheticCapture.base ..< SyntheticCapture.base + memory
        let preserved = blocks
        let used = [metadata ..< trackerRoot + pageSize]
            + preserved.map { $0.phys ..< $0.phys + SyntheticCapture.geometry.bytes(order: $0.order) }
        let tracker = try RebuiltTracker(blocks: preserved, root: trackerRoot, geometry: SyntheticCapture.geometry,
                                         free: FreePages(memory: ram, used: used, pageSize: Int(pageSize)))
        pages.merge(tracker.pages) { _, node in node }
        return SyntheticImage(layout: self, pages: pages, mappedRanges: [ram])
    }
}

/// All of RAM: metadata pages as built, random bytes in preserved data
/// pages, zero elsewhere.
struct SyntheticImage: PhysicalMemoryImage {
    let layout: Layout
    let pages: [UInt64: [UInt8]]
    let mappedRanges: [Range<UInt64>]

    func read(phys: UInt64, count: Int) throws(ImageError) -> [UInt8] {
        let pageSize = layout.pageSize
        precondition(phys % pageSize == 0 && UInt64(count) % pageSize == 0, "the writer reads whole pages")
        var bytes = [UInt8](repeating: 0, count: count)
        for page in stride(from: phys, to: phys + UInt64(count), by: Int(pageSize)) {
            let offset = Int(page - phys)
            if let content = pages[page] {
                bytes.replaceSubrange(offset ..< offset + Int(pageSize), with: content)
            } else if layout.isData(page) {
                var random = SplitMix64(seed: page)
                bytes.replaceSubrange(offset ..< offset + Int(pageSize), with: random.bytes(Int(pageSize)))
            }
        }
        return bytes
    }
}
