import Testing
import KHOImage

@Suite struct RawImageTests {
    let directory: TemporaryDirectory
    let content = pattern(count: 0x3000, seed: 5)
    let base: UInt64 = 0x1_0000_0000

    init() throws { directory = try TemporaryDirectory() }

    private func image() throws -> RawImage {
        try RawImage(path: directory.write(content, to: "memory.raw"), base: base)
    }

    @Test func offsetIsPhysMinusBase() throws {
        let image = try image()
        #expect(image.base == base)
        #expect(image.size == 0x3000)
        #expect(try image.read(phys: base, count: 0x3000) == content)
        #expect(try image.readPage(base + 0x1000, geometry: .kib4) == Array(content[0x1000..<0x2000]))
    }

    @Test func readsOutsideAreUnmapped() throws {
        let image = try image()
        #expect(throws: ImageError.unmapped(address: base - 0x10, count: 0x10)) {
            try image.read(phys: base - 0x10, count: 0x20)
        }
        #expect(throws: ImageError.unmapped(address: base + 0x3000, count: 0x10)) {
            try image.read(phys: base + 0x2ff0, count: 0x20)
        }
        #expect(throws: ImageError.unmapped(address: 0, count: 8)) { try image.read(phys: 0, count: 8) }
    }

    @Test func baseMustNotOverflow() throws {
        let path = try directory.write(content, to: "memory.raw")
        #expect(throws: ImageError.rawImageAddressOverflow(base: UInt64.max - 0x1000, size: 0x3000)) {
            try RawImage(path: path, base: UInt64.max - 0x1000)
        }
        // The last byte may be UInt64.max - 1 (exclusive end UInt64.max).
        let top = try RawImage(path: path, base: UInt64.max - 0x3000)
        #expect(try top.read(phys: UInt64.max - 1, count: 1) == [content[0x2fff]])
    }

    @Test func emptyFileMapsNothing() throws {
        let image = try RawImage(path: directory.write([], to: "empty.raw"), base: 0x1000)
        #expect(image.size == 0)
        #expect(throws: ImageError.unmapped(address: 0x1000, count: 1)) { try image.read(phys: 0x1000, count: 1) }
    }
}
