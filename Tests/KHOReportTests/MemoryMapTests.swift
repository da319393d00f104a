import Testing
@testable import KHOReport

/// How the HTML report's memory map aggregates frames into cells.
@Suite("memory map cells")
struct MemoryMapTests {
    static let base: Int64 = 0x1_0000_0000
    static let basePFN = base / 4096

    @Test func smallMemoriesGetOneCellPerPageLargeOnesAtMostTheLimit() {
        #expect(MemoryMap(generation: 0, pageSize: 4096, memoryBase: Self.base, memoryBytes: 16 << 20).pagesPerCell == 1)
        let large = MemoryMap(generation: 0, pageSize: 4096, memoryBase: Self.base, memoryBytes: 4 << 30)
        #expect(large.pagesPerCell == 128 && large.cellCount == MemoryMap.maximumCells)
        let odd = MemoryMap(generation: 0, pageSize: 65536, memoryBase: Self.base, memoryBytes: 3 << 30)
        #expect(odd.pagesPerCell == 8 && odd.cellCount == 6144)
    }

    @Test func aBlockFillsEveryCellItCoversAndOneFrameStillShows() {
        var map = MemoryMap(generation: 0, pageSize: 4096, memoryBase: Self.base, memoryBytes: 256 << 20)
        #expect(map.pagesPerCell == 8)
        let journal = MemoryMap.Owner(kind: .vmalloc, subject: "journal", leaked: false)
        map.add(pfn: Self.basePFN + 512, count: 512, owner: journal)          // an order-9 block: cells 64…127
        #expect((64..<128).allSatisfy { map.dominant($0)?.owner == journal && map.dominant($0)?.preserved == 8 })
        #expect(map.dominant(63) == nil && map.dominant(128) == nil)

        let blob = MemoryMap.Owner(kind: .blob, subject: "out", leaked: false)
        map.add(pfn: Self.basePFN + 3, count: 1, owner: blob)                 // one frame of cell 0
        #expect(map.dominant(0)?.owner == blob && map.dominant(0)?.preserved == 1)
        #expect(map.phys(ofCell: 64) == Self.base + 2 << 20)
    }

    @Test func mostPagesWinButALeakAlwaysShows() {
        var map = MemoryMap(generation: 0, pageSize: 4096, memoryBase: Self.base, memoryBytes: 256 << 20)
        let area = MemoryMap.Owner(kind: .vmalloc, subject: "state", leaked: false)
        let folio = MemoryMap.Owner(kind: .folio, subject: "f", leaked: false)
        map.add(pfn: Self.basePFN, count: 3, owner: area)
        map.add(pfn: Self.basePFN + 4, count: 4, owner: folio)
        #expect(map.dominant(0)?.owner == folio && map.dominant(0)?.preserved == 7)

        let fdt = MemoryMap.Owner(kind: .fdt, subject: "", leaked: true)
        map.add(pfn: Self.basePFN + 3, count: 1, owner: fdt)
        #expect(map.dominant(0)?.owner == fdt && map.dominant(0)?.owner.colour == FrameKind.leakedColour)
        #expect(fdt.label == "fdt, never claimed by the next generation" && area.label == "vmalloc state")
    }

    @Test func pagesOutsideMemoryAreIgnored() {
        var map = MemoryMap(generation: 0, pageSize: 4096, memoryBase: Self.base, memoryBytes: 1 << 20)
        let owner = MemoryMap.Owner(kind: .pages, subject: "r", leaked: false)
        map.add(pfn: Self.basePFN - 2, count: 3, owner: owner)
        map.add(pfn: Self.basePFN + 255, count: 4, owner: owner)
        #expect(map.dominant(0)?.preserved == 1 && map.dominant(255)?.preserved == 1 && map.dominant(256) == nil)
    }
}
