import Testing
@testable import KHOABI

@Suite("Page range splitting")
struct PageRangeSplitterTests {
    private func split(_ pfn: UInt64, _ count: UInt64, node: ((UInt64) -> Int)? = nil) throws -> [String] {
        try PageRangeSplitter.split(pfn: pfn, count: count, node: node).map { "\(hex($0.pfn)):\($0.order)" }
    }

    @Test func abiExample() throws {
        #expect(try split(0x101, 7) == ["0x101:0", "0x102:1", "0x104:2"])
    }

    @Test func alignedRangeIsOneBlockWithoutCap() throws {
        #expect(try split(0x100000, 0x100000) == ["0x100000:20"])
        #expect(try split(0, 1 << 12) == ["0x0:12"], "pfn 0 is limited only by the length")
        #expect(try split(0, 5) == ["0x0:2", "0x4:0"])
    }

    @Test func unalignedEnds() throws {
        #expect(try split(0x3, 0x10) == ["0x3:0", "0x4:2", "0x8:3", "0x10:1", "0x12:0"])
    }

    @Test func numaCutLowersTheOrder() throws {
        // Node boundary at pfn 0x200: an aligned 0x400-page range splits at it.
        let node: (UInt64) -> Int = { $0 < 0x200 ? 0 : 1 }
        #expect(try split(0, 0x400, node: node) == ["0x0:9", "0x200:9"])
        #expect(try split(0, 0x400) == ["0x0:10"])
    }

    @Test func blocksInBytes() throws {
        let blocks = try PageRangeSplitter.blocks(phys: 0x1_0010_1000, pages: 7, geometry: .kib4)
        #expect(blocks.map(\.description) == ["0x100101000 0", "0x100102000 1", "0x100104000 2"])
        #expect(throws: KHOABIError.self) { try PageRangeSplitter.blocks(phys: 0x1_0000_0800, pages: 1, geometry: .kib4) }
    }

    @Test func rejectsEmptyAndOverflowingRanges() {
        #expect(throws: KHOABIError.invalidPageRange(pfn: 5, count: 0)) { try PageRangeSplitter.split(pfn: 5, count: 0) }
        #expect(throws: KHOABIError.invalidPageRange(pfn: .max, count: 2)) { try PageRangeSplitter.split(pfn: .max, count: 2) }
    }
}
