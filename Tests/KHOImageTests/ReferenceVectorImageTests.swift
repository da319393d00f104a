import KHOTestSupport
import Foundation
import KHOABI
import Testing
import KHOImage

/// The reference vectors' memory images, read through this module.
@Suite struct ReferenceVectorImageTests {
    @Test(arguments: try ReferenceVector.all())
    func fdtPageStartsWithMagic(vector: ReferenceVector) throws {
        let image = try ElfCoreImage(path: vector.path("memory.elf"))
        #expect(image.machine == .x86_64)
        let geometry = try PageGeometry(pageSize: Int(vector.expectedNumber("page_size")))
        let fdtPhys = try vector.expectedNumber("fdt_phys")
        let page = try image.readPage(fdtPhys, geometry: geometry)
        #expect(Array(page.prefix(4)) == [0xd0, 0x0d, 0xfe, 0xed])
        // The page holds the captured root FDT itself.
        let dtb = [UInt8](try Data(contentsOf: URL(fileURLWithPath: vector.path("kho.dtb"))))
        #expect(Array(page.prefix(dtb.count)) == dtb)
    }

    @Test(arguments: try ReferenceVector.all())
    func segmentsMatchReadelf(vector: ReferenceVector) throws {
        let path = vector.path("memory.elf")
        let image = try ElfCoreImage(path: path)
        let loads = try readelfLoads(path)
        #expect(!loads.isEmpty)
        #expect(image.segments.count == loads.count)
        #expect(image.segments.map(\.paddr) == loads.map(\.paddr).sorted())
        let byAddress = loads.sorted { $0.paddr < $1.paddr }
        #expect(image.segments.map(\.fileOffset) == byAddress.map(\.offset))
        #expect(image.segments.map(\.size) == byAddress.map(\.memorySize))
    }

    /// memory.elf and memory.raw of k4-s7 hold the same RAM: every mapped page
    /// agrees, and raw pages outside the ELF segments are zero.
    @Test func elfAndRawAgree() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let elf = try ElfCoreImage(path: vector.path("memory.elf"))
        let baseText = try String(contentsOfFile: vector.path("memory.raw.base"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard baseText.hasPrefix("0x"), let base = UInt64(baseText.dropFirst(2), radix: 16) else {
            throw FixtureError("memory.raw.base holds \(baseText), not a 0x… address")
        }
        let raw = try RawImage(path: vector.path("memory.raw"), base: base)
        #expect(base == (try vector.expectedNumber("memory_base")))
        #expect(UInt64(raw.size) == (try vector.expectedNumber("memory_size")))

        let pageSize = 4096
        var mappedPages = 0
        var zeroPagesOutside = 0
        for page in stride(from: base, to: base + UInt64(raw.size), by: pageSize) {
            let rawPage = try raw.readPage(page, geometry: .kib4)
            if elf.segments.contains(where: { $0.paddr <= page && page < $0.end }) {
                #expect(try elf.readPage(page, geometry: .kib4) == rawPage, "page \(hex(page))")
                mappedPages += 1
            } else {
                #expect(rawPage.allSatisfy { $0 == 0 }, "unmapped page \(hex(page)) is not zero in memory.raw")
                #expect(throws: ImageError.self) { try elf.readPage(page, geometry: .kib4) }
                zeroPagesOutside += 1
            }
        }
        let mappedBytes = elf.segments.reduce(UInt64(0)) { $0 + $1.size }
        #expect(UInt64(mappedPages * pageSize) == mappedBytes)
        #expect(mappedPages > 0 && zeroPagesOutside > 0)
        #expect(elf.segments.first?.paddr == 0x1_0004_0000)
    }
}
