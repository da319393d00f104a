/// Physical memory in an ELF64 little-endian core file (`ET_CORE`), as written
/// by kdump (`/proc/vmcore`), QEMU `dump-guest-memory` or `ElfCoreWriter`.
///
/// Each `PT_LOAD` program header maps physical addresses `[p_paddr, p_paddr +
/// p_memsz)` to file bytes at `p_offset`; other program headers (notes) are
/// ignored, as are `PT_LOAD`s with `p_memsz` 0. Every header field is checked
/// against the file before it is used, so a damaged or hostile file fails
/// with an `ImageError` naming the bad value and never allocates in
/// proportion to a claimed count.
public final class ElfCoreImage: PhysicalMemoryImage, Sendable {
    /// The architecture named by `e_machine`.
    public let machine: ElfMachine
    private let table: SegmentTable

    /// The non-empty `PT_LOAD` segments, sorted by physical address.
    public var segments: [ImageSegment] { table.segments }

    /// Maps and parses the ELF core at `path`.
    public convenience init(path: String) throws(ImageError) {
        try self.init(file: MappedFile(path: path))
    }

    /// Parses an already mapped ELF core.
    public init(file: MappedFile) throws(ImageError) {
        machine = try Self.validateHeader(file)
        let loads = try Self.loadSegments(file)
        try Self.rejectOverlaps(loads)
        table = SegmentTable(segments: loads.map(\.segment), file: file)
    }

    public func read(phys: UInt64, count: Int) throws(ImageError) -> [UInt8] {
        try table.read(phys: phys, count: count)
    }

    public var mappedRanges: [Range<UInt64>] { table.segments.map { $0.paddr..<$0.end } }

    public func releaseResidentPages() { table.file.releaseResidentPages() }

    /// Checks `e_ident`, `e_type`, `e_machine` and `e_phentsize`.
    private static func validateHeader(_ file: MappedFile) throws(ImageError) -> ElfMachine {
        guard file.size >= ELF64.headerSize else { throw .truncatedHeader(fileSize: file.size) }
        let magic = try file.bytes(at: 0, count: ELF64.magic.count)
        guard magic == ELF64.magic else { throw .badMagic(magic) }
        let elfClass = file.load(UInt8.self, at: ELF64.Header.identClass)
        guard elfClass == ELF64.class64 else { throw .unsupportedClass(elfClass) }
        let data = file.load(UInt8.self, at: ELF64.Header.identData)
        guard data == ELF64.littleEndian else { throw .unsupportedByteOrder(data) }
        let type = file.load(UInt16.self, at: ELF64.Header.type)
        guard type == ELF64.typeCore else { throw .unsupportedFileType(type) }
        let rawMachine = file.load(UInt16.self, at: ELF64.Header.machine)
        guard let machine = ElfMachine(rawValue: rawMachine) else { throw .unsupportedMachine(rawMachine) }
        let entrySize = file.load(UInt16.self, at: ELF64.Header.programHeaderEntrySize)
        guard Int(entrySize) == ELF64.programHeaderSize else { throw .badProgramHeaderSize(entrySize) }
        return machine
    }

    /// The number of program headers: `e_phnum`, or with PN_XNUM the `sh_info`
    /// of section header 0.
    private static func programHeaderCount(_ file: MappedFile) throws(ImageError) -> UInt64 {
        let count = file.load(UInt16.self, at: ELF64.Header.programHeaderCount)
        guard count == ELF64.extendedNumbering else { return UInt64(count) }
        let offset = file.load(UInt64.self, at: ELF64.Header.sectionHeaderOffset)
        guard offset != 0, offset <= UInt64(Int.max),
              file.contains(offset: Int(offset), count: ELF64.sectionHeaderSize)
        else { throw .extendedProgramHeaderCountMissing(sectionHeaderOffset: offset) }
        let entrySize = file.load(UInt16.self, at: ELF64.Header.sectionHeaderEntrySize)
        guard Int(entrySize) == ELF64.sectionHeaderSize else { throw .badSectionHeaderSize(entrySize) }
        return UInt64(file.load(UInt32.self, at: Int(offset) + ELF64.sectionInfo))
    }

    /// Reads and validates every `PT_LOAD`, paired with its program header index,
    /// sorted by physical address.
    private static func loadSegments(_ file: MappedFile) throws(ImageError) -> [(segment: ImageSegment, index: Int)] {
        let count = try programHeaderCount(file)
        let tableOffset = file.load(UInt64.self, at: ELF64.Header.programHeaderOffset)
        // count < 2^32, so count * 56 cannot overflow; the sum can.
        let (tableEnd, overflow) = tableOffset.addingReportingOverflow(count * UInt64(ELF64.programHeaderSize))
        guard !overflow, tableEnd <= UInt64(file.size) else {
            throw .programHeaderTableOutsideFile(offset: tableOffset, count: count, fileSize: file.size)
        }
        var loads: [(segment: ImageSegment, index: Int)] = []
        for index in 0..<Int(count) {
            let header = Int(tableOffset) + index * ELF64.programHeaderSize
            if let segment = try loadSegment(file, header: header, index: index) {
                loads.append((segment, index))
            }
        }
        guard !loads.isEmpty else { throw .noLoadSegments }
        return loads.sorted { $0.segment.paddr < $1.segment.paddr }
    }

    /// The segment described by the program header at file offset `header`,
    /// or `nil` when it is not a `PT_LOAD` or maps no memory.
    private static func loadSegment(_ file: MappedFile, header: Int, index: Int) throws(ImageError) -> ImageSegment? {
        guard file.load(UInt32.self, at: header + ELF64.ProgramHeader.type) == ELF64.loadSegment else { return nil }
        let offset = file.load(UInt64.self, at: header + ELF64.ProgramHeader.offset)
        let paddr = file.load(UInt64.self, at: header + ELF64.ProgramHeader.paddr)
        let fileSize = file.load(UInt64.self, at: header + ELF64.ProgramHeader.fileSize)
        let memorySize = file.load(UInt64.self, at: header + ELF64.ProgramHeader.memorySize)

        let (dataEnd, overflow) = offset.addingReportingOverflow(fileSize)
        guard !overflow, dataEnd <= UInt64(file.size) else {
            throw .segmentOutsideFile(index: index, offset: offset, size: fileSize, fileSize: file.size)
        }
        guard fileSize <= memorySize else {
            throw .segmentFileSizeExceedsMemorySize(index: index, fileSize: fileSize, memorySize: memorySize)
        }
        guard !paddr.addingReportingOverflow(memorySize).overflow else {
            throw .segmentAddressOverflow(index: index, paddr: paddr, size: memorySize)
        }
        guard memorySize > 0 else { return nil }
        return ImageSegment(paddr: paddr, size: memorySize, fileOffset: offset, fileSize: fileSize)
    }

    /// Throws when two segments (sorted by `paddr`) share a physical address.
    private static func rejectOverlaps(_ loads: [(segment: ImageSegment, index: Int)]) throws(ImageError) {
        for (previous, next) in zip(loads, loads.dropFirst()) where previous.segment.end > next.segment.paddr {
            throw .overlappingSegments(index: previous.index, otherIndex: next.index, address: next.segment.paddr)
        }
    }
}
