import KHOABI
import Testing
@testable import KHOMachine

/// The chunk pages `preserve_vmalloc` writes into emulated memory follow
/// KHO-ABI.md §3.4 exactly: E / K + 1 chunks, entries in area order, the
/// trailing empty chunk when E is a multiple of K, and the tracker entries
/// in the kernel's order.
@Suite("vmalloc chunk layout in emulated memory")
struct VmallocChunkLayoutTests {
    static let cases: [(pageSize: Int, blocks: Int, huge: Bool)] = [4096, 16384, 65536].flatMap { ps -> [(Int, Int, Bool)] in
        let k = (ps - 8) / 8
        return [(ps, 1, false), (ps, k, false), (ps, 2 * k + 3, false), (ps, 3, true)]
    }

    @Test(arguments: cases.indices)
    func layout(index: Int) throws {
        let (pageSize, blocks, huge) = Self.cases[index]
        let memory: UInt64 = pageSize == 65536 ? 4 << 30 : 1 << 30
        let r = try Recorder(pageSize: pageSize, memory: memory, seed: UInt64(index))
        let m = r.machine
        let g = m.geometry
        let blockPages = huge ? 1 << m.hugeOrder : 1
        let area = try m.vmalloc(name: "a", size: UInt64(blocks * blockPages * pageSize), huge: huge)
        #expect(area.order == (huge ? m.hugeOrder : 0))
        #expect(area.blocks.count == blocks)
        let descriptorPhys = try m.allocPreserve(size: 16)
        try m.preserveVmalloc(area: "a", descriptorPhys: descriptorPhys)
        let event = try #require(r.last)
        #expect(event.outcome == .ok)

        let descriptor = try VmallocDescriptor(bytes: m.memory.read(descriptorPhys, count: 16), geometry: g)
        #expect(descriptor.totalPages == UInt32(blocks * blockPages))
        #expect(Int(descriptor.order) == area.order)
        #expect(descriptor.flags == (huge ? [.alloc, .hugeVmap] : [.alloc]))

        let chunkPhys = event.chunks.map(\.phys)
        #expect(chunkPhys.count == blocks / g.vmallocChunkEntries + 1)
        #expect(descriptor.first == chunkPhys.first)
        let expected = try VmallocChunkChain.layout(blocks: area.blocks, chunkPhys: chunkPhys, geometry: g)
        for (chunk, phys) in zip(expected, chunkPhys) {
            #expect(try chunk.encode(geometry: g) == m.memory.page(phys), "chunk \(hex(phys)) bytes")
        }
        for recorded in event.chunks {
            #expect(recorded.bytes == m.memory.page(recorded.phys))
        }
        if blocks % g.vmallocChunkEntries == 0 {
            #expect(m.memory.page(chunkPhys.last!).allSatisfy { $0 == 0 }, "trailing chunk is empty")
        }

        // Tracker order: chunk 0, then each block, a new chunk after every K-th block.
        var order: [PreservedBlock] = [PreservedBlock(phys: chunkPhys[0], order: 0)]
        for (i, block) in area.blocks.enumerated() {
            order.append(PreservedBlock(phys: block, order: area.order))
            if (i + 1) % g.vmallocChunkEntries == 0 {
                order.append(PreservedBlock(phys: chunkPhys[(i + 1) / g.vmallocChunkEntries], order: 0))
            }
        }
        #expect(event.trackerAdded == order)
        #expect(Set(try m.preservedBlocks()).isSuperset(of: order))
    }

    @Test func unpreserveRemovesEveryEntryAndFreesChunks() throws {
        let r = try Recorder()
        let m = r.machine
        try m.vmalloc(name: "a", size: 4096 * 1200)
        let descriptorPhys = try m.allocPreserve(size: 16)
        let before = try m.preservedBlocks()
        let free = m.allocator.freeFrames
        try m.preserveVmalloc(area: "a", descriptorPhys: descriptorPhys)
        let chunks = try #require(r.last?.chunks.map(\.phys))
        try m.unpreserveVmalloc(descriptorPhys: descriptorPhys)
        #expect(try m.preservedBlocks() == before)
        #expect(chunks.allSatisfy { !m.allocator.isAllocated($0) })
        #expect(m.allocator.freeFrames >= free)
    }
}
