import Foundation
import KHOABI
import Testing
import KHOImage

/// Reads from a valid core: segment lookup, spans, holes and zero fill.
@Suite struct ElfCoreImageTests {
    let directory: TemporaryDirectory
    let image: ElfCoreImage

    init() throws {
        directory = try TemporaryDirectory()
        image = try ElfCoreImage(path: directory.write(SmallCore.bytes(in: directory), to: "core.elf"))
    }

    @Test func segmentsAndMachine() {
        #expect(image.machine == .x86_64)
        #expect(image.segments.map(\.paddr) == [0x1000, 0x2000, 0x10000])
        #expect(image.segments.map(\.size) == [0x1000, 0x800, 0x1000])
        #expect(image.segments.map(\.fileOffset) == [0x1000, 0x2000, 0x3000])
        #expect(image.segments.map(\.fileSize) == [0x1000, 0x800, 0x1000])
    }

    @Test func readsWholeSegmentsAndPages() throws {
        for segment in SmallCore.segments {
            #expect(try image.read(phys: segment.paddr, count: segment.bytes.count) == segment.bytes)
        }
        #expect(try image.readPage(0x10000, geometry: .kib4) == SmallCore.segments[2].bytes)
        #expect(try image.read(phys: 0x1234, count: 3) == Array(SmallCore.segments[0].bytes[0x234..<0x237]))
    }

    @Test func readSpanningContiguousSegments() throws {
        let expected = Array(SmallCore.segments[0].bytes[0xf00...]) + Array(SmallCore.segments[1].bytes[..<0x100])
        #expect(try image.read(phys: 0x1f00, count: 0x200) == expected)
    }

    @Test func holeReportsFirstUncoveredAddress() {
        // The contiguous pair ends at 0x2800; the next segment starts at 0x10000.
        #expect(throws: ImageError.unmapped(address: 0x2800, count: 0x100)) {
            try image.read(phys: 0x2700, count: 0x200)
        }
        #expect(throws: ImageError.unmapped(address: 0x3000, count: 0x10)) {
            try image.read(phys: 0x3000, count: 0x10)
        }
        // The uncovered run stops at the next mapped byte.
        #expect(throws: ImageError.unmapped(address: 0xf000, count: 0x1000)) {
            try image.read(phys: 0xf000, count: 0x2000)
        }
        #expect(throws: ImageError.unmapped(address: 0, count: 0x10)) {
            try image.read(phys: 0, count: 0x10)
        }
    }

    @Test func readPastTheEnd() {
        #expect(throws: ImageError.unmapped(address: 0x11000, count: 0x100)) {
            try image.read(phys: 0x10f00, count: 0x200)
        }
        #expect(throws: ImageError.unmapped(address: UInt64.max - 1, count: 4)) {
            try image.read(phys: UInt64.max - 1, count: 4)
        }
        // A bogus length fails at the hole without allocating it.
        #expect(throws: ImageError.unmapped(address: 0x2800, count: 0x10000 - 0x2800)) {
            try image.read(phys: 0x1000, count: Int.max)
        }
    }

    @Test func lengthEdgeCases() throws {
        #expect(try image.read(phys: 0x5000, count: 0) == [])
        #expect(throws: ImageError.invalidReadLength(-1)) { try image.read(phys: 0x1000, count: -1) }
    }

    @Test func memoryBeyondFileSizeReadsAsZero() throws {
        var bytes = try SmallCore.bytes(in: directory)
        bytes.patch(UInt64(0x1000), at: SmallCore.programHeader(1, field: SmallCore.pMemsz))
        let image = try ElfCoreImage(path: directory.write(bytes, to: "bss.elf"))
        #expect(image.segments[1].size == 0x1000)
        #expect(image.segments[1].fileSize == 0x800)
        let read = try image.read(phys: 0x2700, count: 0x200)
        #expect(Array(read[..<0x100]) == Array(SmallCore.segments[1].bytes[0x700...]))
        #expect(read[0x100...].allSatisfy { $0 == 0 })
    }

    @Test func hugeZeroFilledSegment() throws {
        // p_filesz 0, p_memsz 2^63: reads far into it are zeros, not file offsets.
        var bytes = try SmallCore.bytes(in: directory)
        bytes.patch(UInt64(0), at: SmallCore.programHeader(2, field: SmallCore.pFilesz))
        bytes.patch(UInt64(1) << 63, at: SmallCore.programHeader(2, field: SmallCore.pMemsz))
        let image = try ElfCoreImage(path: directory.write(bytes, to: "huge.elf"))
        #expect(try image.read(phys: 0x10000 + (1 << 63) - 0x10, count: 0x10) == [UInt8](repeating: 0, count: 0x10))
        #expect(throws: ImageError.unmapped(address: 0x10000 + (1 << 63), count: 1)) {
            try image.read(phys: 0x10000 + (1 << 63) - 1, count: 2)
        }
    }

    @Test func emptyLoadsAndNotesAreIgnored() throws {
        var bytes = try SmallCore.bytes(in: directory)
        bytes.patch(UInt64(0), at: SmallCore.programHeader(1, field: SmallCore.pFilesz))
        bytes.patch(UInt64(0), at: SmallCore.programHeader(1, field: SmallCore.pMemsz))
        bytes.patch(UInt32(4), at: SmallCore.programHeader(2, field: SmallCore.pType))  // PT_NOTE
        let image = try ElfCoreImage(path: directory.write(bytes, to: "sparse.elf"))
        #expect(image.segments.map(\.paddr) == [0x1000])
    }

    @Test func aarch64Machine() throws {
        let path = directory.path("arm.elf")
        try ElfCoreWriter(machine: .aarch64, alignment: 16384).write(segments: [(0x4000, [1, 2, 3])], toPath: path)
        let image = try ElfCoreImage(path: path)
        #expect(image.machine == .aarch64)
        #expect(image.segments.first?.fileOffset == 16384)
        #expect(try image.read(phys: 0x4000, count: 3) == [1, 2, 3])
    }
}
