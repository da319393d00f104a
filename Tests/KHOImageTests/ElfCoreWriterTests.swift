import KHOTestSupport
import Foundation
import Testing
import KHOImage

@Suite struct ElfCoreWriterTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    @Test func roundTripThroughReader() throws {
        let segments: [(paddr: UInt64, bytes: [UInt8])] = [
            (0x20_0000, pattern(count: 0x3000, seed: 7)),
            (0x1000, pattern(count: 0x10, seed: 8)),  // out of order, short, not page-sized
            (0x10_0000, pattern(count: 0x1001, seed: 9)),
        ]
        let path = directory.path("round.elf")
        try ElfCoreWriter().write(segments: segments, toPath: path)

        let image = try ElfCoreImage(path: path)
        #expect(image.machine == .x86_64)
        #expect(image.segments.map(\.paddr) == [0x1000, 0x10_0000, 0x20_0000])
        #expect(image.segments.allSatisfy { $0.fileOffset % 4096 == 0 && $0.fileSize == $0.size })
        for segment in segments {
            #expect(try image.read(phys: segment.paddr, count: segment.bytes.count) == segment.bytes)
        }
        #expect(temporarySiblings(of: path).isEmpty)
    }

    @Test func readelfListsTheLoads() throws {
        let path = directory.path("readelf.elf")
        try ElfCoreWriter().write(segments: [(0x1_0000_0000, pattern(count: 0x2000, seed: 1)),
                                             (0x1_0000_4000, pattern(count: 0x100, seed: 2))], toPath: path)
        #expect(try readelfLoads(path) == [
            ReadelfLoad(offset: 0x1000, paddr: 0x1_0000_0000, fileSize: 0x2000, memorySize: 0x2000, flags: "RWE", align: 0x1000),
            ReadelfLoad(offset: 0x3000, paddr: 0x1_0000_4000, fileSize: 0x100, memorySize: 0x100, flags: "RWE", align: 0x1000),
        ])
        let header = try readelf(["-hW", path])
        #expect(header.contains("CORE (Core file)"))
        #expect(header.contains("Advanced Micro Devices X86-64"))
        #expect(header.contains("Number of section headers:         0"))
    }

    /// Re-exporting each reference core from its own segments, with `p_vaddr`
    /// 0 as the vectors write it, reproduces it byte for byte.
    @Test(arguments: try ReferenceVector.all())
    func reproducesReferenceCores(vector: ReferenceVector) throws {
        let original = try ElfCoreImage(path: vector.path("memory.elf"))
        let pageSize = Int(try vector.expectedNumber("page_size"))
        let path = directory.path("\(vector.name).elf")
        try ElfCoreWriter(alignment: pageSize, virtualAddresses: .zero)
            .write(ranges: original.segments.map { $0.paddr..<$0.end }, from: original, toPath: path)
        let written = try directory.contents(path)
        let reference = try directory.contents(vector.path("memory.elf"))
        #expect(written.count == reference.count)
        #expect(written == reference, "\(vector): export differs from memory.elf")
    }

    @Test func extendedNumberingBeyond65534Segments() throws {
        let count = 70_000
        let segments = (0..<count).map { (paddr: UInt64($0) * 2, bytes: [UInt8(truncatingIfNeeded: $0)]) }
        let path = directory.path("many.elf")
        try ElfCoreWriter(alignment: 1).write(segments: segments, toPath: path)

        let image = try ElfCoreImage(path: path)
        #expect(image.segments.count == count)
        #expect(try image.read(phys: 2 * 69_999, count: 1) == [UInt8(truncatingIfNeeded: 69_999)])
        #expect(throws: ImageError.unmapped(address: 1, count: 1)) { try image.read(phys: 0, count: 2) }
        let header = try readelf(["-hW", path])
        #expect(header.contains("Number of program headers:         65535 (70000)"))
        #expect(try readelfLoads(path).count == count)
    }

    @Test func rejectsInvalidLayouts() throws {
        let path = directory.path("bad.elf")
        #expect(throws: ImageError.invalidAlignment(3)) { try ElfCoreWriter(alignment: 3) }
        #expect(throws: ImageError.invalidAlignment(0)) { try ElfCoreWriter(alignment: 0) }
        let writer = try ElfCoreWriter()
        #expect(throws: ImageError.noLoadSegments) { try writer.write(segments: [], toPath: path) }
        #expect(throws: ImageError.emptySegment(index: 1, paddr: 0x2000)) {
            try writer.write(segments: [(0x1000, [1]), (0x2000, [])], toPath: path)
        }
        #expect(throws: ImageError.overlappingSegments(index: 1, otherIndex: 0, address: 0x1ff8)) {
            try writer.write(segments: [(0x1ff8, [1]), (0x1000, [UInt8](repeating: 0, count: 0x1000))], toPath: path)
        }
        #expect(throws: ImageError.segmentAddressOverflow(index: 0, paddr: UInt64.max, size: 1)) {
            try writer.write(segments: [(UInt64.max, [1])], toPath: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(temporarySiblings(of: path).isEmpty)
    }

    @Test func failedSourceReadLeavesNoFile() throws {
        let source = try RawImage(path: directory.write(pattern(count: 0x2000, seed: 4), to: "src.raw"), base: 0x1000)
        let path = directory.path("partial.elf")
        #expect(throws: ImageError.unmapped(address: 0x3000, count: 0x1000)) {
            try ElfCoreWriter().write(ranges: [0x1000..<0x2000, 0x2000..<0x4000], from: source, toPath: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(temporarySiblings(of: path).isEmpty)
    }

    @Test func unwritableDestination() {
        let path = directory.path("missing-dir/out.elf")
        #expect(throws: ImageError.cannotOpen(path: path, reason: "No such file or directory")) {
            try ElfCoreWriter().write(segments: [(0, [1])], toPath: path)
        }
    }
}
