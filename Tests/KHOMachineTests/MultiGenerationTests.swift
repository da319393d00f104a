import Foundation
import KHOABI
import KHOImage
import KHOTestSupport
import Testing
@testable import KHOMachine

@Suite("kexec generations")
struct MultiGenerationTests {
    /// Three areas survive four kexecs: each generation restores them from the
    /// descriptors named in the FDT, checks the bytes, changes one, and
    /// preserves all of them again. Unpreserved memory is gone after each kexec.
    @Test(arguments: [4096, 16384, 65536])
    func areasSurviveFourKexecs(pageSize: Int) throws {
        let r = try Recorder(pageSize: pageSize, memory: 256 << 20, seed: 11)
        let m = r.machine
        var random = SplitMix64(seed: 3)
        // Huge blocks are PMD sized: 2 MiB at 4 KiB pages, 32 MiB at 16 KiB, 512 MiB at 64 KiB (too big here).
        var sizes: [String: (UInt64, Bool)] = ["ring": (UInt64(pageSize) * 5, false), "log": (UInt64(pageSize) * 700, false)]
        if pageSize < 65536 { sizes["huge"] = (m.geometry.bytes(order: m.hugeOrder) * 2, true) }
        var contents: [String: [UInt8]] = [:]
        for (name, (size, huge)) in sizes.sorted(by: { $0.key < $1.key }) {
            let area = try m.vmalloc(name: name, size: size, huge: huge)
            contents[name] = random.bytes(area.size(m.geometry))
            try m.write(area: name, offset: 0, bytes: contents[name]!)
        }
        func handOver() throws {
            for name in contents.keys.sorted() {
                let blob = try m.allocPreserve(size: 16)
                try m.preserveVmalloc(area: name, descriptorPhys: blob)
                try m.addSubtree(name: name, phys: blob, size: 16)
            }
        }
        try handOver()
        for generation in 1...4 {
            let secret = try m.allocPages(order: 0)
            try m.write(phys: secret, bytes: Array("not preserved".utf8))
            try m.kexec()
            #expect(m.generation == generation)
            #expect(try m.memory.read(secret, count: 13) == [UInt8](repeating: 0, count: 13), "scrubbed")
            for name in contents.keys.sorted() {
                let (blob, size) = try m.retrieveSubtree(name: name)
                #expect(size == 16)
                try m.restoreVmalloc(descriptorPhys: blob, name: name)
                #expect(try m.read(area: name) == contents[name], "\(name) in generation \(generation)")
                try m.restoreFree(blob)
                let patch = random.bytes(100)
                try m.write(area: name, offset: 17 * generation, bytes: patch)
                contents[name]!.replaceSubrange(17 * generation..<17 * generation + 100, with: patch)
            }
            try handOver()
        }
        #expect(r.events.filter { $0.kind == .kexec }.count == 4)
    }

    /// The handover bytes of a generation, written to a flat file, walk with
    /// KHOABI's tracker walker to exactly the blocks the machine preserved.
    @Test func handoverImageWalksToTheSamePreservedSet() throws {
        let r = try Recorder(memory: 64 << 20, seed: 5)
        let m = r.machine
        try m.vmalloc(name: "a", size: 4096 * 600)
        try m.write(area: "a", offset: 0, bytes: Array(repeating: 0xAB, count: 4096 * 600))
        let blob = try m.allocPreserve(size: 16)
        try m.preserveVmalloc(area: "a", descriptorPhys: blob)
        try m.addSubtree(name: "a", phys: blob, size: 16)
        for order in 0...5 { try m.preserveFolio(try m.allocPages(order: order), order: order) }
        try m.preservePages(try m.allocPages(order: 4) + 4096, count: 11)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kho-handover-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let raw = directory.appendingPathComponent("memory.raw")
        #expect(FileManager.default.createFile(atPath: raw.path, contents: nil))
        let handle = try FileHandle(forWritingTo: raw)
        for page in m.memory.touchedPages {
            try handle.seek(toOffset: page - m.config.memoryBase)
            try handle.write(contentsOf: m.memory.page(page))
        }
        try handle.truncate(atOffset: m.config.memorySize)
        try handle.close()

        let image = try RawImage(path: raw.path, base: m.config.memoryBase)
        let fdtBytes = try image.read(phys: m.fdtPhys, count: m.geometry.pageSize)
        let fdt = try KHORootFDT(tree: FlattenedDeviceTree(bytes: fdtBytes))
        #expect(fdt.generation == m.config.abi)
        let metadata = try #require(fdt.subtrees.last)
        #expect(fdt.subtrees == [KHOSubtree(name: "a", phys: blob, size: 16),
                                 KHOSubtree(name: KexecMetadata.subtreeName, phys: metadata.phys, size: UInt64(KexecMetadata.byteCount))])
        let walked = try RadixTrackerWalker(geometry: m.geometry, rootPhys: fdt.preservedMemoryMap).blocks(read: image.reader)
        #expect(walked == (try m.preservedBlocks()))
        var believed = Set<PreservedBlock>()
        for event in r.events {
            for change in event.tracker {
                if change.added { believed.insert(change.block) } else { believed.remove(change.block) }
            }
        }
        // Preserved at boot, before the recorder listened: the root FDT page and the kexec-metadata page.
        believed.formUnion([PreservedBlock(phys: m.fdtPhys, order: 0), PreservedBlock(phys: metadata.phys, order: 0)])
        #expect(Set(walked) == believed)
    }
}
