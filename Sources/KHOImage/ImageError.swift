import KHOABI

/// Why a memory image could not be opened, parsed, read or written.
///
/// Every case carries the offending value (address, offset, header field) so
/// that a user can find it in the file with `readelf` or `xxd`.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    // MARK: reads

    /// A read touches an address no segment of the image maps: `address` is the
    /// first uncovered byte and `count` the length of the uncovered run within
    /// the read (up to the next mapped byte or the end of the read).
    case unmapped(address: UInt64, count: Int)
    /// A read asked for a negative number of bytes.
    case invalidReadLength(Int)
    /// The memory being written out (for example a ledger's memory as of a
    /// point) could not supply the bytes at `address`.
    case sourceUnreadable(address: UInt64, reason: String)

    // MARK: files

    /// `open(2)` failed; `reason` is the `strerror` text.
    case cannotOpen(path: String, reason: String)
    /// `fstat(2)` failed; `reason` is the `strerror` text.
    case cannotStat(path: String, reason: String)
    /// The path names a directory, device or other non-regular file.
    case notRegularFile(path: String)
    /// `mmap(2)` failed; `reason` is the `strerror` text.
    case cannotMap(path: String, reason: String)
    /// Writing, closing or renaming an output file failed.
    case cannotWrite(path: String, reason: String)
    /// A byte range lies (partly) outside a mapped file.
    case fileRangeOutOfBounds(path: String, offset: Int, count: Int, fileSize: Int)

    // MARK: ELF header

    /// The file is shorter than the 64-byte ELF64 header.
    case truncatedHeader(fileSize: Int)
    /// The first four bytes are not `7f 45 4c 46` ("\x7fELF").
    case badMagic([UInt8])
    /// `e_ident[EI_CLASS]` is not ELFCLASS64 (2).
    case unsupportedClass(UInt8)
    /// `e_ident[EI_DATA]` is not ELFDATA2LSB (1).
    case unsupportedByteOrder(UInt8)
    /// `e_type` is not ET_CORE (4).
    case unsupportedFileType(UInt16)
    /// `e_machine` is neither EM_X86_64 (62) nor EM_AARCH64 (183).
    case unsupportedMachine(UInt16)
    /// `e_phentsize` is not 56.
    case badProgramHeaderSize(UInt16)
    /// `e_phnum` is PN_XNUM (0xffff) but `e_shentsize` is not 64, so the real
    /// count in section header 0 cannot be read.
    case badSectionHeaderSize(UInt16)
    /// `e_phnum` is PN_XNUM (0xffff) but section header 0, which holds the real
    /// count, is absent (`e_shoff` is 0) or outside the file.
    case extendedProgramHeaderCountMissing(sectionHeaderOffset: UInt64)
    /// The program header table (`count` entries at `offset`) does not fit in the file.
    case programHeaderTableOutsideFile(offset: UInt64, count: UInt64, fileSize: Int)

    // MARK: segments

    /// Program header `index` places its data (`size` bytes at `offset`) past
    /// the end of the file, or the sum overflows.
    case segmentOutsideFile(index: Int, offset: UInt64, size: UInt64, fileSize: Int)
    /// Program header `index` has `p_filesz` greater than `p_memsz`.
    case segmentFileSizeExceedsMemorySize(index: Int, fileSize: UInt64, memorySize: UInt64)
    /// Segment `index` runs past the end of the 64-bit physical address space.
    case segmentAddressOverflow(index: Int, paddr: UInt64, size: UInt64)
    /// Segments `index` and `otherIndex` both map physical `address`.
    case overlappingSegments(index: Int, otherIndex: Int, address: UInt64)
    /// Segment `index` (at `paddr`) holds no bytes; the writer emits none.
    case emptySegment(index: Int, paddr: UInt64)
    /// The image has no non-empty PT_LOAD segment.
    case noLoadSegments
    /// More segments than an ELF64 file can number (2³² − 1).
    case tooManySegments(Int)
    /// The data of segment `index` would start past the largest file offset.
    case fileOffsetOverflow(index: Int)

    // MARK: raw images and writing

    /// A raw image of `size` bytes at `base` runs past the 64-bit address space.
    case rawImageAddressOverflow(base: UInt64, size: Int)
    /// A segment alignment is not a positive power of two.
    case invalidAlignment(Int)

    public var description: String {
        switch self {
        case let .unmapped(address, count):
            return "address \(hex(address)) (\(count) bytes) is not in the image"
        case .invalidReadLength(let count):
            return "cannot read \(count) bytes: the length must not be negative"
        case let .sourceUnreadable(address, reason):
            return "cannot read \(hex(address)) from the source: \(reason)"
        case let .cannotOpen(path, reason):
            return "cannot open \(path): \(reason)"
        case let .cannotStat(path, reason):
            return "cannot stat \(path): \(reason)"
        case .notRegularFile(let path):
            return "\(path) is not a regular file"
        case let .cannotMap(path, reason):
            return "cannot map \(path) into memory: \(reason)"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason)"
        case let .fileRangeOutOfBounds(path, offset, count, fileSize):
            return "\(path): \(count) bytes at offset \(offset) are outside the file (\(fileSize) bytes)"
        case .truncatedHeader(let fileSize):
            return "file of \(fileSize) bytes is too short for an ELF64 header (64 bytes)"
        case .badMagic(let bytes):
            return "not an ELF file: magic is \(bytes.map { hex($0) }.joined(separator: " ")), expected 0x7f 0x45 0x4c 0x46"
        case .unsupportedClass(let value):
            return "ELF class \(value) is not ELFCLASS64 (2)"
        case .unsupportedByteOrder(let value):
            return "ELF data encoding \(value) is not little-endian (1)"
        case .unsupportedFileType(let value):
            return "ELF type \(value) is not ET_CORE (4)"
        case .unsupportedMachine(let value):
            return "ELF machine \(value) is neither EM_X86_64 (62) nor EM_AARCH64 (183)"
        case .badProgramHeaderSize(let value):
            return "e_phentsize is \(value), expected 56"
        case .badSectionHeaderSize(let value):
            return "e_phnum is PN_XNUM but e_shentsize is \(value), expected 64"
        case .extendedProgramHeaderCountMissing(let offset):
            return "e_phnum is PN_XNUM but section header 0 at offset \(hex(offset)) is missing or outside the file"
        case let .programHeaderTableOutsideFile(offset, count, fileSize):
            return "program header table (\(count) entries at offset \(hex(offset))) does not fit in the file (\(fileSize) bytes)"
        case let .segmentOutsideFile(index, offset, size, fileSize):
            return "program header \(index): \(hex(size)) bytes at offset \(hex(offset)) are outside the file (\(fileSize) bytes)"
        case let .segmentFileSizeExceedsMemorySize(index, fileSize, memorySize):
            return "program header \(index): p_filesz \(hex(fileSize)) exceeds p_memsz \(hex(memorySize))"
        case let .segmentAddressOverflow(index, paddr, size):
            return "segment \(index): \(hex(size)) bytes at \(hex(paddr)) run past the 64-bit address space"
        case let .overlappingSegments(index, otherIndex, address):
            return "segments \(index) and \(otherIndex) both map physical address \(hex(address))"
        case let .emptySegment(index, paddr):
            return "segment \(index) at \(hex(paddr)) is empty"
        case .noLoadSegments:
            return "the image has no PT_LOAD segment with memory"
        case .tooManySegments(let count):
            return "\(count) segments: an ELF64 file holds at most \(UInt32.max)"
        case .fileOffsetOverflow(let index):
            return "segment \(index) would start past the largest file offset"
        case let .rawImageAddressOverflow(base, size):
            return "raw image of \(size) bytes at base \(hex(base)) runs past the 64-bit address space"
        case .invalidAlignment(let value):
            return "alignment \(value) is not a positive power of two"
        }
    }
}
