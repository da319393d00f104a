import Testing
@testable import KHOABI

@Suite("Radix tracker keys, nodes and walks")
struct RadixTrackerTests {
    /// The worked keys of KHO-ABI.md §4.3: (geometry, phys, order, key, table indices root→L1, leaf bit).
    static let workedKeys: [(PageGeometry, UInt64, Int, UInt64, [Int], Int)] = [
        (.kib4, 0x1000_0000, 0, 0x0010_0000_0001_0000, [2, 0, 0, 0, 2], 0),
        (.kib4, 0x4000_0000, 9, 0x0000_0800_0000_0200, [0, 2, 0, 0, 0], 512),
        (.kib4, 0x12_3456_7000, 0, 0x0010_0000_0123_4567, [2, 0, 0, 1, 70], 17767),
        (.kib16, 0x1000_0000, 0, 0x0004_0000_0000_4000, [1, 0, 0, 0], 16384),
        (.kib16, 0x8000_0000, 11, 0x80_0000_0040, [0, 1, 0, 0], 64),
        (.kib64, 0x1000_0000, 0, 0x0001_0000_0000_1000, [8, 0, 0], 4096),
        (.kib64, 0x2000_0000, 13, 0x8_0000_0001, [0, 8, 0], 1),
    ]

    @Test(arguments: workedKeys.indices)
    func workedKey(index: Int) throws {
        let (g, phys, order, raw, indices, bit) = Self.workedKeys[index]
        let key = try RadixKey(PreservedBlock(phys: phys, order: order), geometry: g)
        #expect(key.rawValue == raw)
        let depth = g.radixTreeDepth()
        #expect((1..<depth).reversed().map { key.index(level: $0, geometry: g) } == indices)
        #expect(key.leafBit(geometry: g) == bit)
        #expect(try key.block(geometry: g) == PreservedBlock(phys: phys, order: order))
        #expect(RadixKey(path: indices, leafBit: bit, geometry: g) == key)
    }

    @Test func keyRejections() {
        let g = PageGeometry.kib4
        #expect(throws: KHOABIError.invalidRadixKey(0)) { try RadixKey(rawValue: 0).block(geometry: g) }
        #expect(throws: KHOABIError.invalidRadixKey(1 << 53)) { try RadixKey(rawValue: 1 << 53).block(geometry: g) }
        #expect(throws: KHOABIError.orderTooLarge(order: 53, maximum: 52)) {
            try RadixKey(PreservedBlock(phys: 0, order: 53), geometry: g)
        }
        #expect(throws: KHOABIError.misalignedAddress(field: "order-1 block", address: 0x1000, alignment: 0x2000)) {
            try RadixKey(PreservedBlock(phys: 0x1000, order: 1), geometry: g)
        }
    }

    /// Larger orders sort first; within an order, ascending phys.
    @Test func keyOrderIsKernelWalkOrder() throws {
        let g = PageGeometry.kib4
        let blocks = [PreservedBlock(phys: 0x2000, order: 0), PreservedBlock(phys: 0x200000, order: 9),
                      PreservedBlock(phys: 0x1000, order: 0), PreservedBlock(phys: 0, order: 9)]
        let sorted = try blocks.sorted { try RadixKey($0, geometry: g) < RadixKey($1, geometry: g) }
        #expect(sorted.map(\.description) == ["0x0 9", "0x200000 9", "0x1000 0", "0x2000 0"])
    }

    @Test(arguments: [PageGeometry.kib4, .kib16, .kib64])
    func insertWalkRemove(geometry g: PageGeometry) throws {
        var memory = PageMemory(geometry: g)
        let root = try memory.allocateNodePage()
        let tracker = RadixTracker(geometry: g, rootPhys: root)
        let ps = UInt64(g.pageSize)
        let blocks = [PreservedBlock(phys: 0x8_0000_0000, order: 0), PreservedBlock(phys: 0x8_0000_0000 + ps, order: 0),
                      PreservedBlock(phys: 0x1_0000_0000, order: 3), PreservedBlock(phys: 0x40_0000_0000, order: 9),
                      PreservedBlock(phys: 0x8_0000_0000 + 64 * ps, order: 0)]
        var allocated = 0
        for block in blocks { allocated += try tracker.insert(block, in: &memory).count }
        #expect(try tracker.insert(blocks[0], in: &memory).isEmpty, "re-inserting allocates nothing")

        let walker = RadixTrackerWalker(geometry: g, rootPhys: root)
        let walked = try walker.blocks(read: memory.reader)
        let expected = try blocks.sorted { try RadixKey($0, geometry: g) < RadixKey($1, geometry: g) }
        #expect(walked == expected)
        #expect(try walker.nodePages(read: memory.reader).count == allocated + 1)

        #expect(try tracker.remove(blocks[1], in: &memory) == .cleared(wasSet: true))
        #expect(try tracker.remove(blocks[1], in: &memory) == .cleared(wasSet: false))
        let absent = try tracker.remove(PreservedBlock(phys: 0x100_0000_0000, order: 0), in: &memory)
        guard case .missingNode(let level) = absent else {
            Issue.record("expected a missing node, got \(absent)")
            return
        }
        #expect((0..<g.radixTreeDepth() - 1).contains(level))
        #expect(try walker.blocks(read: memory.reader) == expected.filter { $0 != blocks[1] })
    }

    @Test func allocationFailureRollsBackThisCallsNodes() throws {
        var memory = PageMemory(geometry: .kib4)
        let root = try memory.allocateNodePage()
        let tracker = RadixTracker(geometry: .kib4, rootPhys: root)
        let before = memory.pages
        memory.allocationsLeft = 3   // a new path needs 5 nodes at 4 KiB
        #expect(throws: PageMemory.OutOfMemory.self) {
            try tracker.insert(PreservedBlock(phys: 0x1_0000_0000, order: 0), in: &memory)
        }
        #expect(memory.pages == before)
    }

    /// With the original depth formula at 16 KiB, an order-0 key loses bit 50:
    /// the walk reconstructs a different block (the bug the fix addresses).
    @Test func originalDepthLosesOrderZeroAt16KiB() throws {
        let g = PageGeometry.kib16
        var memory = PageMemory(geometry: g)
        let root = try memory.allocateNodePage()
        let block = PreservedBlock(phys: 0x1000_0000, order: 0)
        try RadixTracker(geometry: g, rootPhys: root, depthFormula: .original).insert(block, in: &memory)
        let walked = try RadixTrackerWalker(geometry: g, rootPhys: root, depthFormula: .original).blocks(read: memory.reader)
        #expect(walked.count == 1)
        #expect(walked.first != block)
    }

    @Test func walkRejectsSharedNodesAndMisalignedSlots() throws {
        let g = PageGeometry.kib4
        var memory = PageMemory(geometry: g)
        let root = try memory.allocateNodePage()
        let child = try memory.allocateNodePage()
        try memory.storeWord(child, at: root)
        try memory.storeWord(child, at: root + 8)
        let walker = RadixTrackerWalker(geometry: g, rootPhys: root)
        #expect(throws: KHOABIError.radixNodeRevisited(phys: child, level: 4)) { try walker.blocks(read: memory.reader) }
        try memory.storeWord(child + 8, at: root + 8)
        #expect(throws: KHOABIError.misalignedAddress(field: "kho_radix_node.slot[1]", address: child + 8, alignment: 4096)) {
            try walker.blocks(read: memory.reader)
        }
        #expect(throws: KHOABIError.self) { try RadixTrackerWalker(geometry: g, rootPhys: 0).blocks(read: memory.reader) }
        #expect(throws: KHOABIError.misalignedAddress(field: "preserved-memory-map (radix root)", address: root + 1, alignment: 4096)) {
            try RadixTrackerWalker(geometry: g, rootPhys: root + 1).blocks(read: memory.reader)
        }
    }

    @Test func leafBitLayout() throws {
        var leaf = RadixLeaf(geometry: .kib4)
        leaf.insert(0); leaf.insert(9); leaf.insert(64); leaf.insert(32767)
        #expect(leaf.bytes[0] == 0x01 && leaf.bytes[1] == 0x02 && leaf.bytes[8] == 0x01 && leaf.bytes[4095] == 0x80)
        #expect(leaf.setBits == [0, 9, 64, 32767])
        leaf.remove(9)
        #expect(!leaf.contains(9) && leaf.contains(64))
    }
}
