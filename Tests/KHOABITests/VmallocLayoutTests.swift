import Testing
@testable import KHOABI

@Suite("vmalloc descriptor and chunks")
struct VmallocLayoutTests {
    @Test func descriptorBytesFollowTheLayout() throws {
        let d = VmallocDescriptor(first: 0x1_2345_6000, totalPages: 0x0102_0304, flags: [.alloc, .hugeVmap], order: 9)
        let bytes = d.encode()
        #expect(bytes == [0x00, 0x60, 0x45, 0x23, 0x01, 0, 0, 0,
                          0x04, 0x03, 0x02, 0x01,
                          0x03, 0x00,
                          0x09, 0x00])
        #expect(try VmallocDescriptor(bytes: bytes, geometry: .kib4) == d)
        #expect(d.blockCount == 0x0102_0304 >> 9)
    }

    @Test func descriptorRejectsBadInput() throws {
        let good = VmallocDescriptor(first: 0x1_0000, totalPages: 1, flags: .alloc, order: 0).encode()
        #expect(throws: KHOABIError.wrongLength(structure: "kho_vmalloc", expected: 16, actual: 15)) {
            try VmallocDescriptor(bytes: good.dropLast(), geometry: .kib4)
        }
        var misaligned = good
        misaligned[1] = 0x10
        #expect(throws: KHOABIError.misalignedAddress(field: "kho_vmalloc.first", address: 0x1_1000, alignment: 16384)) {
            try VmallocDescriptor(bytes: misaligned, geometry: .kib16)
        }
        #expect(try VmallocDescriptor(bytes: misaligned, geometry: .kib4).first == 0x1_1000)
        var hugeOrder = good
        hugeOrder[14] = 11
        #expect(throws: KHOABIError.orderTooLarge(order: 11, maximum: 10)) {
            try VmallocDescriptor(bytes: hugeOrder, geometry: .kib4)
        }
        #expect(try VmallocDescriptor(bytes: hugeOrder, geometry: .kib16).order == 11)
    }

    @Test func flagsCheck() throws {
        #expect(try VmallocFlags(validating: 3) == [.alloc, .hugeVmap])
        #expect(throws: KHOABIError.unsupportedVmallocFlags(0x5)) { try VmallocFlags(validating: 0x5) }
        #expect(throws: KHOABIError.unsupportedVmallocFlags(0x8000)) { try VmallocFlags(validating: 0x8000) }
        #expect(VmallocFlags(rawValue: 0xff).restored == [.alloc, .hugeVmap])
        #expect(VmallocFlags(rawValue: 0x7).description == "ALLOC|HUGE_VMAP|0x4")
    }

    @Test(arguments: [PageGeometry.kib4, .kib16, .kib64])
    func chunkRoundTrip(geometry: PageGeometry) throws {
        let ps = UInt64(geometry.pageSize)
        let chunk = VmallocChunk(next: 0x2_0000_0000, entries: (1...5).map { 0x1_0000_0000 + $0 * ps })
        let page = try chunk.encode(geometry: geometry)
        #expect(page.count == geometry.pageSize)
        #expect(page.loadLittleEndian(UInt64.self, at: 0) == 0x2_0000_0000)
        #expect(page.loadLittleEndian(UInt64.self, at: 8) == 0x1_0000_0000 + ps)
        #expect(page.loadLittleEndian(UInt64.self, at: 48) == 0, "terminator after the last entry")
        #expect(try VmallocChunk(bytes: page, geometry: geometry) == chunk)
        #expect(!chunk.isFull(geometry: geometry))
    }

    @Test(arguments: [PageGeometry.kib4, .kib16, .kib64])
    func fullChunkHasNoTerminator(geometry: PageGeometry) throws {
        let k = geometry.vmallocChunkEntries
        let ps = UInt64(geometry.pageSize)
        let chunk = VmallocChunk(next: 0, entries: (1...UInt64(k)).map { $0 * ps })
        let page = try chunk.encode(geometry: geometry)
        #expect(page.loadLittleEndian(UInt64.self, at: geometry.pageSize - 8) == UInt64(k) * ps)
        let decoded = try VmallocChunk(bytes: page, geometry: geometry)
        #expect(decoded.entries.count == k)
        #expect(decoded.isFull(geometry: geometry))
        var tooMany = chunk
        tooMany.entries.append(ps)
        #expect(throws: KHOABIError.self) { try tooMany.encode(geometry: geometry) }
    }

    @Test func chunkDecodeStopsAtFirstZeroAndRejectsBadPointers() throws {
        let g = PageGeometry.kib4
        var page = [UInt8](repeating: 0, count: 4096)
        page.storeLittleEndian(UInt64(0x5000), at: 8)
        page.storeLittleEndian(UInt64(0x6000), at: 24)   // after the terminator at slot 1
        #expect(try VmallocChunk(bytes: page, geometry: g).entries == [0x5000])

        var badNext = page
        badNext.storeLittleEndian(UInt64(0x7001), at: 0)
        #expect(throws: KHOABIError.misalignedAddress(field: "kho_vmalloc_chunk.next", address: 0x7001, alignment: 4096)) {
            try VmallocChunk(bytes: badNext, geometry: g)
        }
        var badEntry = page
        badEntry.storeLittleEndian(UInt64(0x5800), at: 8)
        #expect(throws: KHOABIError.misalignedAddress(field: "kho_vmalloc_chunk.phys[0]", address: 0x5800, alignment: 4096)) {
            try VmallocChunk(bytes: badEntry, geometry: g)
        }
        #expect(throws: KHOABIError.wrongLength(structure: "kho_vmalloc_chunk", expected: 4096, actual: 4095)) {
            try VmallocChunk(bytes: page.dropLast(), geometry: g)
        }
        #expect(throws: KHOABIError.self) { try VmallocChunk(next: 0, entries: [0x1000, 0]).encode(geometry: g) }
    }

    /// E blocks need E / K + 1 chunk pages; a multiple of K ends in an empty chunk.
    @Test(arguments: [PageGeometry.kib4, .kib16, .kib64])
    func chainLayout(geometry: PageGeometry) throws {
        let k = geometry.vmallocChunkEntries
        let ps = UInt64(geometry.pageSize)
        for (blocks, chunks) in [(1, 1), (k - 1, 1), (k, 2), (k + 1, 2), (2 * k + 7, 3)] {
            #expect(VmallocChunkChain.chunkCount(blockCount: blocks, geometry: geometry) == chunks)
            let blockPhys = (1...UInt64(blocks)).map { 0x1_0000_0000 + $0 * ps }
            let chunkPhys = (0..<UInt64(chunks)).map { 0x2_0000_0000 + $0 * ps }
            let chain = try VmallocChunkChain.layout(blocks: blockPhys, chunkPhys: chunkPhys, geometry: geometry)
            #expect(chain.flatMap(\.entries) == blockPhys)
            #expect(chain.map(\.next) == Array(chunkPhys.dropFirst()) + [0])
            if blocks % k == 0 { #expect(chain.last?.entries.isEmpty == true) }
        }
        #expect(throws: KHOABIError.self) {
            try VmallocChunkChain.layout(blocks: [ps], chunkPhys: [], geometry: geometry)
        }
    }
}
