import Foundation
import KHOABI
import KHOImage
@testable import KHOMachine
import KHOTestSupport
import Testing

/// The kho-v1 releases (6.16 – 7.0) against their kernel code:
/// `__kho_preserve_order`, `kho_mem_serialize`, `deserialize_bitmap`,
/// `kho_restore_page` / `kho_restore_folio` and `kho_finalize` of
/// `kernel/kexec_handover.c` (6.16, 6.18) and
/// `kernel/liveupdate/kexec_handover.c` (6.19, 7.0).
@Suite("Kernel fidelity: the kho-v1 bitmap tracker")
struct BitmapTrackerFidelityTests {
    /// What the last kexec handed over, read from its event: the root FDT
    /// and the tracker pages with their bytes at that moment (the next
    /// kernel frees and reuses them once it has walked them).
    private struct Handover {
        var fdt: [UInt8]
        var pages: [UInt64: [UInt8]]
        var pageSize: Int

        init(_ r: Recorder) throws {
            let kexec = try #require(r.events.last { $0.kind == .kexec })
            fdt = try #require(kexec.fdt)
            pages = Dictionary(kexec.pages.map { ($0.phys, $0.bytes) }, uniquingKeysWith: { $1 })
            pageSize = r.machine.geometry.pageSize
        }

        /// Reads inside the handed-over tracker pages only.
        var reader: MemoryReader {
            { [pages, pageSize] phys, count in
                let page = phys & ~UInt64(pageSize - 1)
                guard let bytes = pages[page], Int(phys - page) + count <= pageSize else { throw FixtureError("\(hex(phys)) was not handed over") }
                return Array(bytes[Int(phys - page) ..< Int(phys - page) + count])
            }
        }

        func chunks(_ variant: BitmapVariant, geometry: PageGeometry) throws -> [BitmapTrackerWalker.Chunk] {
            try BitmapTrackerWalker(geometry: geometry, variant: variant, firstChunkPhys: KHORootFDT(bytes: fdt).preservedMemoryMap)
                .chunks(read: reader)
        }
    }

    /// The chunk list the machine handed over at its last kexec.
    private func handedOverChunks(_ r: Recorder) throws -> [BitmapTrackerWalker.Chunk] {
        try Handover(r).chunks(#require(r.machine.config.abi.bitmapVariant), geometry: r.machine.geometry)
    }

    private func kexecFDT(_ r: Recorder) throws -> [UInt8] { try Handover(r).fdt }

    /// The emulator, given the blocks of the independent v1b reference
    /// vector, serializes them with the vector's conventions: one chunk per
    /// order, orders ascending, the same phys_start of every bitmap and the
    /// same bits (the machine's own root FDT page adds one order-0 bit).
    @Test func v1bHandoverFollowsTheReferenceVector() throws {
        let vector = try ReferenceVector.named("k4-v1b-s17")
        let image = try ElfCoreImage(path: vector.path("memory.elf"))
        let expected = try BitmapTrackerWalker(geometry: .kib4, variant: .v1b,
                                               firstChunkPhys: try vector.expectedNumber("mem_map_phys"))
        let expectedChunks = try expected.chunks(read: image.reader)
        let blocks = try expected.blocks(read: image.reader)

        let r = try Recorder(memory: 16 << 20) {
            $0.kernel = .v7_0
            $0.scratchOverlapCheck = false
        }
        let m = r.machine
        for block in blocks { try m.preserveFolio(block.phys, order: block.order) }
        let fdtPage = m.fdtPhys
        try m.kexec()
        let chunks = try handedOverChunks(r)
        #expect(chunks.map(\.order) == expectedChunks.map(\.order))
        #expect(chunks.map { $0.bitmaps.map(\.physStart) } == expectedChunks.map { $0.bitmaps.map(\.physStart) })
        for (chunk, reference) in zip(chunks, expectedChunks) {
            for (mine, theirs) in zip(chunk.bitmaps, reference.bitmaps) {
                var bits = try Handover(r).reader(mine.bitmap, 4096)
                if chunk.order == 0, fdtPage >= mine.physStart, fdtPage - mine.physStart < 4096 * 4096 {
                    let bit = Int((fdtPage - mine.physStart) / 4096)
                    #expect(bits[bit / 8] & (1 << (bit % 8)) != 0, "the root FDT page is preserved")
                    bits[bit / 8] &= ~(1 << (bit % 8))
                }
                #expect(bits == (try image.read(phys: theirs.bitmap, count: 4096)), "order \(chunk.order) bitmap at \(hex(mine.physStart))")
            }
        }
        #expect(Set(m.incoming?.preserved ?? BlockList()) == Set(blocks + [PreservedBlock(phys: fdtPage, order: 0)]))
    }

    /// v1a (6.16, 6.17): a bitmap is 512 bytes (4096 bits, 16 MiB of order-0
    /// pages at 4 KiB); the emulator carves them from one slab page in
    /// allocation order. v1b (6.18 on): one page covers 128 MiB.
    @Test(arguments: [(KernelRelease.v6_16, 4), (.v6_17, 4), (.v6_18, 1), (.v7_0, 1)])
    func bitmapSize(release: KernelRelease, bitmaps: Int) throws {
        let r = try Recorder(memory: 64 << 20) { $0.kernel = release }
        let m = r.machine
        let slice: UInt64 = 16 << 20
        for i in UInt64(0) ..< 4 { try m.preserveFolio(m.config.memoryBase + i * slice + 0x10_0000, order: 0) }
        try m.kexec()
        let chunks = try handedOverChunks(r)
        let order0 = try #require(chunks.first)
        #expect(chunks.count == 1 && order0.order == 0 && order0.bitmaps.count == bitmaps)
        if release.abi == .v1a {
            let page = order0.bitmaps[0].bitmap
            #expect(order0.bitmaps.map(\.bitmap) == (0 ..< 4).map { page + UInt64($0 * 512) })
            #expect(order0.bitmaps.map(\.physStart) == (0 ..< 4).map { m.config.memoryBase + UInt64($0) * slice })
        }
        #expect(try m.incoming?.preserved.count == 5, "four folios and the root FDT page")
    }

    /// `kho_mem_serialize`: orders ascending, a new chunk for every order,
    /// a further chunk only when one is full and another bitmap follows (255
    /// bitmaps fill one chunk at 4 KiB, the 256th starts a second one), and
    /// a bitmap whose bits were all cleared is still listed.
    @Test(arguments: [255, 256])
    func chunkLayout(bitmaps: Int) throws {
        let slice: UInt64 = 16 << 20    // one v1a order-0 bitmap
        let r = try Recorder(memory: UInt64(bitmaps) * slice) {
            $0.kernel = .v6_16
            $0.scratchOverlapCheck = false
        }
        let m = r.machine
        let base = m.config.memoryBase
        for i in 0 ..< UInt64(bitmaps) { try m.preserveFolio(base + i * slice, order: 0) }
        try m.preservePages(base + 0x40_0000, count: 2)                  // one order-1 block
        try m.preserveFolio(base + 0x80_0000, order: 5)
        try m.kexec()
        let chunks = try handedOverChunks(r)
        #expect(chunks.map(\.order) == (bitmaps > 255 ? [0, 0, 1, 5] : [0, 1, 5]))
        #expect(chunks.map(\.bitmaps.count) == (bitmaps > 255 ? [255, 1, 1, 1] : [255, 1, 1]))
        #expect(chunks.last?.next == 0)

        let again = try Recorder(memory: 64 << 20) { $0.kernel = .v6_19 }
        let folio = try again.machine.allocPages(order: 3)
        try again.machine.preserveFolio(folio, order: 3)
        try again.machine.unpreserveFolio(folio, order: 3)
        try again.machine.kexec()
        let emptied = try handedOverChunks(again)
        #expect(emptied.map(\.order) == [0, 3] && emptied[1].bitmaps.count == 1, "the cleared order-3 bitmap is still listed")
        #expect(try Handover(again).reader(emptied[1].bitmaps[0].bitmap, 4096).allSatisfy { $0 == 0 })
    }

    /// `kho_restore_folio` (6.16, 6.17) reads the bare order and clears
    /// nothing, so a second restore succeeds; 6.18 – 7.0 check the KHOP
    /// magic, which the first restore consumes. Every kho-v1 release
    /// refuses an order above MAX_PAGE_ORDER; 7.1 does not check it.
    @Test(arguments: KernelRelease.allCases)
    func restoreChecks(release: KernelRelease) throws {
        let r = try Recorder(memory: 64 << 20) {
            $0.kernel = release
            $0.scratchOverlapCheck = false
        }
        let m = r.machine
        let base = m.config.memoryBase
        try m.preserveFolio(base + 0x100_0000, order: 2)
        try m.preserveFolio(base + 0x200_0000, order: 11)                // MAX_PAGE_ORDER is 10 at 4 KiB
        try m.kexec()
        try m.restoreFolio(base + 0x100_0000)
        if release.abi.restoreChecksMagic {
            #expect(throws: MachineError.self) { try m.restoreFolio(base + 0x100_0000) }
        } else {
            #expect(try m.restoreFolio(base + 0x100_0000) == 2)
        }
        if release.abi.restoreChecksMaxPageOrder {
            #expect(throws: MachineError.self) { try m.restoreFolio(base + 0x200_0000) }
        } else {
            #expect(try m.restoreFolio(base + 0x200_0000) == 11)
        }
        #expect(release.abi.restoreChecksMagic == (release >= .v6_18))
        #expect(release.abi.restoreChecksMaxPageOrder == (release <= .v7_0))
    }

    /// 6.16 – 6.18 write the whole root FDT at finalize: no page is written
    /// or preserved before the kexec, the subtrees appear in call order
    /// (oldest first, sequential writes), the FDT folio is preserved then and
    /// the next kernel restores it at once. 6.19 on write it at init with
    /// map 0 and patch the map at finalize.
    @Test(arguments: [KernelRelease.v6_16, .v6_18, .v6_19, .v7_0])
    func rootFDTTiming(release: KernelRelease) throws {
        let r = try Recorder { $0.kernel = release }
        let m = r.machine
        let fdtPage = m.fdtPhys
        #expect(try m.preservedBlocks().contains(PreservedBlock(phys: fdtPage, order: 0)) == !release.writesRootFDTAtFinalize)
        if !release.writesRootFDTAtFinalize { #expect(try m.rootFDT.decoded().preservedMemoryMap == 0) }
        for name in ["first", "second"] {
            let blob = try m.allocPages(order: 0)
            try m.addSubtree(name: name, phys: blob, size: 16)
        }
        try m.kexec()
        let handed = try KHORootFDT(bytes: kexecFDT(r))
        #expect(try !handedOverChunks(r).isEmpty, "the map names the first chunk")
        #expect(handed.subtrees.map(\.name) == (release.writesRootFDTAtFinalize ? ["first", "second"] : ["second", "first"]))
        let fdt = try kexecFDT(r)
        #expect(try m.memory.read(fdtPage, count: fdt.count) == fdt)
        let boot = try #require(r.events.last { $0.kind == .boot })
        #expect(boot.restored.contains(PreservedBlock(phys: fdtPage, order: 0)) == release.writesRootFDTAtFinalize)
    }

    /// Each op runs only on releases whose `kexec_handover.c` exports the
    /// call it emulates; a scenario step on an older release is refused
    /// with the releases that have it.
    @Test func kernelCallsExistFromTheirRelease() throws {
        let from618: [ScenarioOp.Name] = [.restorePages, .preserveVmalloc, .restoreVmalloc]
        let from619: [ScenarioOp.Name] = [.unpreserveFolio, .unpreservePages, .unpreserveVmalloc, .allocPreserve,
                                          .unpreserveFree, .restoreFree, .removeSubtree]
        let everywhere: [ScenarioOp.Name] = [.preserveFolio, .preservePages, .restoreFolio, .addSubtree, .retrieveSubtree, .kexec]
        for name in from618 { #expect(KernelRelease.allCases.filter(name.runs) == KernelRelease.allCases.filter { $0 >= .v6_18 }, "\(name)") }
        for name in from619 { #expect(KernelRelease.allCases.filter(name.runs) == KernelRelease.allCases.filter { $0 >= .v6_19 }, "\(name)") }
        for name in everywhere { #expect(KernelRelease.allCases.allSatisfy(name.runs), "\(name)") }
        let scenario = try Scenario(yaml: """
            machine: {kernel: "6.17"}
            steps:
              - alloc_preserve: {size: 16, as: blob}
            """)
        #expect(scenario.releases == KernelRelease.allCases.filter { $0 >= .v6_19 })
        #expect {
            _ = try ScenarioRunner(scenario).run()
        } throws: { error in
            "\(error)".contains("calls kho_alloc_preserve, which Linux 6.17 does not; set machine.kernel to \"6.19\" or \"7.0\"")
        }
    }
}
