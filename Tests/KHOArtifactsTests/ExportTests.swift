import Foundation
import KHOABI
import KHOArtifacts
import KHOImage
@testable import KHOLedger
import KHOReplay
import KHOTestSupport
import Testing

/// `HandoverExport`: the exported core and FDT are the ledger's handover,
/// read back with the same walker and restorer as any capture.
@Suite("Export")
struct ExportTests {
    /// Exports `point` of `simulated` into its directory.
    private func export(_ simulated: SimulatedLedgerFile, _ point: String, raw: Bool = false) throws
        -> (manifest: ExportManifest, elf: String, dtb: String, raw: String) {
        let name = point.replacingOccurrences(of: ":", with: "-")
        let (elf, dtb, rawPath) = (simulated.directory.path("\(name).elf"), simulated.directory.path("\(name).dtb"),
                                   simulated.directory.path("\(name).raw"))
        let manifest = try HandoverExport(ledger: simulated.ledger).export(
            at: try simulated.seq(point), to: .init(image: elf, fdt: dtb, raw: raw ? rawPath : nil))
        return (manifest, elf, dtb, rawPath)
    }

    /// At each handover and at a point inside a generation (whose FDT comes
    /// from its page as of the point), the walk of the export is the
    /// ledger's state, and every area restores from it to the manifest's hash.
    @Test(arguments: ["gen:0", "gen:1", "gen:1+3"])
    func exportWalksToTheState(point: String) throws {
        let simulated = try SimulatedLedgerFile(example: "memfd-luo.yaml")
        let state = try AsOfState(ledger: simulated.ledger, seq: try simulated.seq(point))
        let (manifest, elf, dtb, _) = try export(simulated, point)
        let image = try ElfCoreImage(path: elf)
        let walk = try HandoverWalker(geometry: state.geometry).walk(fdt: [UInt8](try Data(contentsOf: URL(fileURLWithPath: dtb))),
                                                                     read: image.reader)
        #expect(walk.preserved == state.preserved)
        #expect(manifest.preservedCount == state.preserved.count)
        let outgoing = state.subtrees.filter { $0.direction == .outgoing }
        #expect(walk.subtrees.reversed().map(\.name) == outgoing.map(\.name))
        #expect(walk.subtrees.reversed().map(\.phys) == outgoing.map(\.phys))

        let areas = state.areas.filter { $0.kind == .vmalloc }
        #expect(manifest.areas.map(\.name) == areas.map(\.name))
        for (area, entry) in zip(areas, manifest.areas) {
            let restored = try VmallocRestorer(geometry: state.geometry, read: image.reader, heads: walk.heads(state.geometry))
                .restore(descriptorAt: area.descriptorPhys)
            #expect(entry.sha256 == restored.sha256 && entry.error == nil, "\(point) \(area.name)")
            #expect(entry.descriptorPhys == hex(area.descriptorPhys) && entry.totalPages == UInt64(restored.descriptor.totalPages))
        }
        #expect(image.segments.map { hex($0.paddr) } == manifest.segments.map(\.phys))
        #expect(image.segments.map(\.size) == manifest.segments.map(\.size))
    }

    /// The rebuilt tracker's root is where the FDT points; its other nodes
    /// lie in pages nothing else of the handover uses.
    @Test func trackerNodesUseFreePages() throws {
        let simulated = try SimulatedLedgerFile(example: "multi-generation.yaml")
        let (manifest, elf, dtb, _) = try export(simulated, "gen:2")
        let image = try ElfCoreImage(path: elf)
        let root = try KHORootFDT(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: dtb))))
        #expect(hex(root.preservedMemoryMap) == manifest.trackerRoot)
        let nodes = try RadixTrackerWalker(geometry: .kib4, rootPhys: root.preservedMemoryMap).nodePages(read: image.reader)
        #expect(nodes.count == manifest.trackerPages && nodes.first == root.preservedMemoryMap)
        let state = try AsOfState(ledger: simulated.ledger, seq: try simulated.seq("gen:2"))
        for node in nodes {
            #expect(!state.preserved.contains { $0.phys <= node && node < $0.phys + state.geometry.bytes(order: $0.order) })
            #expect(!root.subtrees.contains { $0.phys & ~0xfff == node })
        }
        // The handover FDT is the one the kexec recorded.
        #expect(try Data(contentsOf: URL(fileURLWithPath: dtb)) == simulated.ledger.database.read { db in
            try Data.fetchOne(db, sql: "SELECT root_fdt FROM generation WHERE generation = 2")
        })
    }

    /// The raw image holds the same bytes at the same addresses, its gaps
    /// are holes, and it walks like the core.
    @Test func rawImageIsSparseAndEqual() throws {
        let simulated = try SimulatedLedgerFile(example: "multi-generation.yaml")
        let (manifest, elf, dtb, rawPath) = try export(simulated, "gen:0", raw: true)
        let core = try ElfCoreImage(path: elf)
        let raw = try RawImage(path: rawPath, base: 0x1_0000_0000)
        for segment in core.segments {
            #expect(try raw.read(phys: segment.paddr, count: Int(segment.size)) == core.read(phys: segment.paddr, count: Int(segment.size)))
        }
        var info = stat()
        #expect(stat(rawPath, &info) == 0)
        let written = manifest.segments.reduce(UInt64(0)) { $0 + $1.size }
        #expect(UInt64(info.st_blocks) * 512 < UInt64(info.st_size) / 4, "gaps are holes")
        #expect(UInt64(info.st_size) >= written)
        let walk = try HandoverWalker(geometry: .kib4).walk(fdt: [UInt8](try Data(contentsOf: URL(fileURLWithPath: dtb))), read: raw.reader)
        #expect(walk.preserved.count == manifest.preservedCount)
    }

    @Test func rawBaseAboveTheFirstPageIsRefused() throws {
        let simulated = try SimulatedLedgerFile(example: "multi-generation.yaml")
        let base: UInt64 = 0x1_0000_1000
        #expect(throws: ExportError.self) {
            try HandoverExport(ledger: simulated.ledger).export(
                at: try simulated.seq("gen:0"),
                to: .init(image: simulated.directory.path("a.elf"), fdt: simulated.directory.path("a.dtb"),
                          raw: simulated.directory.path("a.raw"), rawBase: base))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: simulated.directory.url.path)
        #expect(files.filter { $0.hasPrefix("a.") }.isEmpty, "no file, not even .partial: \(files)")
    }

    /// An imported kho-v1 capture holds no tracker pages: the export rebuilds
    /// the chunks and bitmaps with the first chunk where the FDT says, and
    /// the walk of the export is the capture's.
    @Test func importedBitmapTrackerHandoverIsRebuilt() throws {
        let imported = try ImportedVector("k4-v1b-s17", namingAreas: false)
        let (elf, dtb) = (imported.directory.path("v1.elf"), imported.directory.path("v1.dtb"))
        _ = try HandoverExport(ledger: imported.ledger).export(at: imported.summary.kexecSeq, to: .init(image: elf, fdt: dtb))
        let vector = try ReferenceVector.named("k4-v1b-s17")
        let walker = HandoverWalker(geometry: .kib4, bitmapVariant: .v1b)
        let original = try walker.walk(fdt: vector.bytes("kho.dtb"), read: ElfCoreImage(path: vector.path("memory.elf")).reader)
        let exported = try walker.walk(fdt: [UInt8](Data(contentsOf: URL(fileURLWithPath: dtb))), read: ElfCoreImage(path: elf).reader)
        #expect(exported.preserved == original.preserved && exported.trackerRoot == original.trackerRoot)
    }

    /// A kho-v1 kernel serializes its tracker only at the kexec: before it
    /// there is nothing to export, and no file is left.
    @Test func bitmapTrackerBeforeItsKexecIsRefused() throws {
        let simulated = try SimulatedLedgerFile(example: "kho-v1.yaml")
        let seq = try simulated.seq("gen:0") - 1
        #expect(throws: ExportError.bitmapTrackerNotSerialized(generation: 0, seq: seq)) {
            try HandoverExport(ledger: simulated.ledger).export(
                at: seq, to: .init(image: simulated.directory.path("b.elf"), fdt: simulated.directory.path("b.dtb")))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: simulated.directory.url.path)
        #expect(files.filter { $0.hasPrefix("b.") }.isEmpty, "\(files)")
    }

    @Test func freePagesSkipUsedRanges() {
        var free = FreePages(memory: 0x1000 ..< 0x9000, used: [0x1000 ..< 0x2800, 0x4000 ..< 0x5000, 0x7000 ..< 0x9000], pageSize: 4096)
        var pages: [UInt64] = []
        while let page = free.next() { pages.append(page) }
        #expect(pages == [0x3000, 0x5000, 0x6000])
    }
}
