import Foundation
import Testing
import KHOImage

/// Each damaged variant of `SmallCore` fails with its own `ImageError`, carrying the bad value.
@Suite struct MalformedElfTests {
    let directory: TemporaryDirectory
    let valid: [UInt8]

    init() throws {
        directory = try TemporaryDirectory()
        valid = try SmallCore.bytes(in: directory)
    }

    /// Opens `valid` after `mutate` and returns the error it throws (nil when it opens).
    private func openError(_ mutate: (inout [UInt8]) -> Void) throws -> ImageError? {
        var bytes = valid
        mutate(&bytes)
        let path = try directory.write(bytes, to: "mutated-\(UUID().uuidString).elf")
        do {
            _ = try ElfCoreImage(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test func unmodifiedFixtureOpens() throws {
        #expect(valid.count == SmallCore.fileSize)
        #expect(try openError { _ in } == nil)
    }

    @Test func truncatedHeader() throws {
        #expect(try openError { $0.removeLast($0.count - 40) } == .truncatedHeader(fileSize: 40))
        #expect(try openError { $0.removeAll() } == .truncatedHeader(fileSize: 0))
    }

    @Test func badMagic() throws {
        #expect(try openError { $0[1] = 0x58 } == .badMagic([0x7f, 0x58, 0x4c, 0x46]))
    }

    @Test func elfClass32() throws {
        #expect(try openError { $0[4] = 1 } == .unsupportedClass(1))
    }

    @Test func bigEndian() throws {
        #expect(try openError { $0[5] = 2 } == .unsupportedByteOrder(2))
    }

    @Test func executableInsteadOfCore() throws {
        #expect(try openError { $0.patch(UInt16(2), at: 16) } == .unsupportedFileType(2))
    }

    @Test func wrongMachine() throws {
        #expect(try openError { $0.patch(UInt16(40), at: 18) } == .unsupportedMachine(40))
    }

    @Test func programHeaderEntrySize() throws {
        #expect(try openError { $0.patch(UInt16(64), at: 54) } == .badProgramHeaderSize(64))
    }

    @Test func programHeaderTableBeyondFile() throws {
        let size = UInt64(SmallCore.fileSize)
        #expect(try openError { $0.patch(size, at: 32) }
                == .programHeaderTableOutsideFile(offset: size, count: 3, fileSize: SmallCore.fileSize))
        #expect(try openError { $0.patch(size - 100, at: 32) }
                == .programHeaderTableOutsideFile(offset: size - 100, count: 3, fileSize: SmallCore.fileSize))
        // phoff + 3 * 56 wraps around 2^64.
        #expect(try openError { $0.patch(UInt64.max - 8, at: 32) }
                == .programHeaderTableOutsideFile(offset: UInt64.max - 8, count: 3, fileSize: SmallCore.fileSize))
    }

    @Test func hugeProgramHeaderCountInSmallFileFailsFast() throws {
        let start = ContinuousClock.now
        #expect(try openError { $0.patch(UInt16(65534), at: 56) }
                == .programHeaderTableOutsideFile(offset: 64, count: 65534, fileSize: SmallCore.fileSize))
        // PN_XNUM with a section header claiming 2^32 - 1 program headers.
        #expect(try openError { bytes in
            bytes.patch(UInt16(0xffff), at: 56)
            bytes.patch(UInt64(bytes.count), at: 40)
            bytes.patch(UInt16(64), at: 58)
            bytes += [UInt8](repeating: 0, count: 64)
            bytes.patch(UInt32.max, at: bytes.count - 64 + 44)
        } == .programHeaderTableOutsideFile(offset: 64, count: UInt64(UInt32.max), fileSize: SmallCore.fileSize + 64))
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func extendedCountWithoutSectionHeader() throws {
        // e_phnum 65535 is PN_XNUM: the real count must come from section header 0.
        #expect(try openError { $0.patch(UInt16(0xffff), at: 56) }
                == .extendedProgramHeaderCountMissing(sectionHeaderOffset: 0))
        #expect(try openError { bytes in
            bytes.patch(UInt16(0xffff), at: 56)
            bytes.patch(UInt64(bytes.count - 32), at: 40)
        } == .extendedProgramHeaderCountMissing(sectionHeaderOffset: UInt64(SmallCore.fileSize - 32)))
        #expect(try openError { bytes in
            bytes.patch(UInt16(0xffff), at: 56)
            bytes.patch(UInt64(0x3000), at: 40)
            bytes.patch(UInt16(40), at: 58)
        } == .badSectionHeaderSize(40))
    }

    @Test func segmentDataBeyondFile() throws {
        let header = SmallCore.programHeader(2, field: 0)
        #expect(try openError {
            $0.patch(UInt64(0x1001), at: header + SmallCore.pFilesz)
            $0.patch(UInt64(0x1001), at: header + SmallCore.pMemsz)
        } == .segmentOutsideFile(index: 2, offset: 0x3000, size: 0x1001, fileSize: SmallCore.fileSize))
        #expect(try openError { $0.patch(UInt64(0x3001), at: header + SmallCore.pOffset) }
                == .segmentOutsideFile(index: 2, offset: 0x3001, size: 0x1000, fileSize: SmallCore.fileSize))
    }

    @Test func segmentOffsetPlusSizeOverflows() throws {
        let offset = UInt64.max - 0xfff
        #expect(try openError { $0.patch(offset, at: SmallCore.programHeader(0, field: SmallCore.pOffset)) }
                == .segmentOutsideFile(index: 0, offset: offset, size: 0x1000, fileSize: SmallCore.fileSize))
    }

    @Test func fileSizeAboveMemorySize() throws {
        #expect(try openError { $0.patch(UInt64(0x400), at: SmallCore.programHeader(1, field: SmallCore.pMemsz)) }
                == .segmentFileSizeExceedsMemorySize(index: 1, fileSize: 0x800, memorySize: 0x400))
    }

    @Test func physicalRangeOverflows() throws {
        let paddr = UInt64.max - 0xff
        #expect(try openError { $0.patch(paddr, at: SmallCore.programHeader(2, field: SmallCore.pPaddr)) }
                == .segmentAddressOverflow(index: 2, paddr: paddr, size: 0x1000))
    }

    @Test func overlappingSegments() throws {
        #expect(try openError { $0.patch(UInt64(0x1800), at: SmallCore.programHeader(2, field: SmallCore.pPaddr)) }
                == .overlappingSegments(index: 0, otherIndex: 2, address: 0x1800))
        // Same start address.
        #expect(try openError { $0.patch(UInt64(0x2000), at: SmallCore.programHeader(0, field: SmallCore.pPaddr)) }
                .map { if case .overlappingSegments(_, _, 0x2000) = $0 { true } else { false } } == true)
    }

    @Test func noLoadSegments() throws {
        #expect(try openError { bytes in
            for index in 0..<3 { bytes.patch(UInt32(4), at: SmallCore.programHeader(index, field: SmallCore.pType)) }
        } == .noLoadSegments)
        #expect(try openError { $0.patch(UInt16(0), at: 56) } == .noLoadSegments)
    }
}
