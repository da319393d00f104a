import Testing
@testable import KHOABI

@Suite("Page geometry")
struct PageGeometryTests {
    /// The per-page-size table of KHO-ABI.md §1.
    @Test(arguments: [
        // pageSize, shift, vmalloc K, O0, T, B, depth fixed, depth original, key bits, v1 bitmaps, maxOrder
        (4096, 12, 511, 52, 9, 15, 6, 6, 53, 255, 10),
        (16384, 14, 2047, 50, 11, 17, 5, 4, 51, 1023, 11),
        (65536, 16, 8191, 48, 13, 19, 4, 4, 49, 4095, 13),
    ])
    func constants(row: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)) throws {
        let g = try PageGeometry(pageSize: row.0)
        #expect(g.pageShift == row.1)
        #expect(g.vmallocChunkEntries == row.2)
        #expect(g.order0Log2 == row.3)
        #expect(g.tableSizeLog2 == row.4)
        #expect(g.bitmapSizeLog2 == row.5)
        #expect(g.radixTreeDepth(.fixed) == row.6)
        #expect(g.radixTreeDepth(.original) == row.7)
        #expect(g.radixKeyBits == row.8)
        #expect(g.bitmapsPerChunk == row.9)
        #expect(g.maxPageOrder == row.10)
        #expect(g.entriesPerNode == row.0 / 8)
        #expect(g.bitsPerLeaf == row.0 * 8)
        #expect(g.preserveBits(.v1a) == 4096)
        #expect(g.preserveBits(.v1b) == row.0 * 8)
    }

    @Test func leafSpans() {
        #expect(PageGeometry.kib4.leafSpanBytes == 128 << 20)
        #expect(PageGeometry.kib16.leafSpanBytes == 2 << 30)
        #expect(PageGeometry.kib64.leafSpanBytes == 32 << 30)
    }

    @Test func originalDepthIsBrokenOnlyAt16KiB() {
        #expect(!RadixDepthFormula.original.isKnownBroken(for: .kib4))
        #expect(RadixDepthFormula.original.isKnownBroken(for: .kib16))
        #expect(!RadixDepthFormula.original.isKnownBroken(for: .kib64))
        #expect(!RadixDepthFormula.fixed.isKnownBroken(for: .kib16))
    }

    @Test(arguments: [0, 512, 8192, 32768, 1 << 20, -4096])
    func rejectsUnsupportedPageSizes(size: Int) {
        #expect(throws: KHOABIError.unsupportedPageSize(size)) { try PageGeometry(pageSize: size) }
    }

    @Test func getOrder() {
        let g = PageGeometry.kib4
        #expect(g.order(forSize: 1) == 0)
        #expect(g.order(forSize: 4096) == 0)
        #expect(g.order(forSize: 4097) == 1)
        #expect(g.order(forSize: 8 << 20) == 11)
        #expect(g.blockEntries(entrySize: 64) == 63)
        #expect(PageGeometry.kib16.blockEntries(entrySize: 64) == 255)
    }
}
