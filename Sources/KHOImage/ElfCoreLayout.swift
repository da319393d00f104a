import KHOABI

/// The validated shape of an ELF core about to be written: one `PT_LOAD` per
/// segment, data at `alignment`-aligned file offsets after the headers.
///
/// With 65,535 or more segments `e_phnum` is PN_XNUM and a single null
/// section header carries the real count in `sh_info`, as the gABI specifies.
struct ElfCoreLayout {
    let machine: ElfMachine
    let alignment: UInt64
    /// The segments in the order given, each non-empty and non-overlapping.
    let segments: [(paddr: UInt64, size: UInt64)]
    /// File offset of each segment's first byte.
    let dataOffsets: [UInt64]
    /// What `p_vaddr` holds.
    let virtualAddresses: ElfCoreWriter.VirtualAddresses

    /// Validates `segments` and places them in the file.
    init(machine: ElfMachine, alignment: Int, segments: [(paddr: UInt64, size: UInt64)],
         virtualAddresses: ElfCoreWriter.VirtualAddresses = .physical) throws(ImageError) {
        self.virtualAddresses = virtualAddresses
        guard alignment > 0, alignment.nonzeroBitCount == 1 else { throw .invalidAlignment(alignment) }
        guard !segments.isEmpty else { throw .noLoadSegments }
        guard segments.count <= Int(UInt32.max) else { throw .tooManySegments(segments.count) }
        for (index, segment) in segments.enumerated() {
            guard segment.size > 0 else { throw .emptySegment(index: index, paddr: segment.paddr) }
            guard !segment.paddr.addingReportingOverflow(segment.size).overflow else {
                throw .segmentAddressOverflow(index: index, paddr: segment.paddr, size: segment.size)
            }
        }
        let byAddress = segments.indices.sorted { segments[$0].paddr < segments[$1].paddr }
        for (previous, next) in zip(byAddress, byAddress.dropFirst())
        where segments[previous].paddr + segments[previous].size > segments[next].paddr {
            throw .overlappingSegments(index: previous, otherIndex: next, address: segments[next].paddr)
        }

        self.machine = machine
        self.alignment = UInt64(alignment)
        self.segments = segments
        dataOffsets = try Self.place(segments, after: Self.headersSize(count: segments.count), alignment: UInt64(alignment))
    }

    /// Bytes of ELF header, program headers and (with PN_XNUM) section header.
    private static func headersSize(count: Int) -> UInt64 {
        let extended = count >= Int(ELF64.extendedNumbering)
        return UInt64(ELF64.headerSize + count * ELF64.programHeaderSize + (extended ? ELF64.sectionHeaderSize : 0))
    }

    /// Aligned data offsets, each segment after the previous; every offset
    /// and end must stay below `Int64.max` (`off_t`).
    private static func place(_ segments: [(paddr: UInt64, size: UInt64)], after start: UInt64,
                              alignment: UInt64) throws(ImageError) -> [UInt64] {
        var offsets: [UInt64] = []
        offsets.reserveCapacity(segments.count)
        var end = start
        for (index, segment) in segments.enumerated() {
            let (rounded, roundOverflow) = end.addingReportingOverflow(alignment - 1)
            let offset = rounded & ~(alignment - 1)
            let (next, sizeOverflow) = offset.addingReportingOverflow(segment.size)
            guard !roundOverflow, !sizeOverflow, next <= UInt64(Int64.max) else { throw .fileOffsetOverflow(index: index) }
            offsets.append(offset)
            end = next
        }
        return offsets
    }

    /// True when the segment count needs PN_XNUM.
    private var extendedNumbering: Bool { segments.count >= Int(ELF64.extendedNumbering) }

    /// The ELF header, the program header table and, with PN_XNUM, section header 0.
    func headers() -> [UInt8] {
        let programHeadersEnd = UInt64(ELF64.headerSize + segments.count * ELF64.programHeaderSize)
        var bytes = ELF64.magic + [ELF64.class64, ELF64.littleEndian, ELF64.currentVersion]
        bytes += [UInt8](repeating: 0, count: 9)  // EI_OSABI (System V), EI_ABIVERSION, padding
        bytes.appendLittleEndian(ELF64.typeCore)
        bytes.appendLittleEndian(machine.rawValue)
        bytes.appendLittleEndian(UInt32(ELF64.currentVersion))
        bytes.appendLittleEndian(UInt64(0))  // e_entry
        bytes.appendLittleEndian(UInt64(ELF64.headerSize))  // e_phoff
        bytes.appendLittleEndian(extendedNumbering ? programHeadersEnd : 0)  // e_shoff
        bytes.appendLittleEndian(UInt32(0))  // e_flags
        bytes.appendLittleEndian(UInt16(ELF64.headerSize))
        bytes.appendLittleEndian(UInt16(ELF64.programHeaderSize))
        bytes.appendLittleEndian(extendedNumbering ? ELF64.extendedNumbering : UInt16(segments.count))
        bytes.appendLittleEndian(UInt16(extendedNumbering ? ELF64.sectionHeaderSize : 0))
        bytes.appendLittleEndian(UInt16(extendedNumbering ? 1 : 0))  // e_shnum
        bytes.appendLittleEndian(UInt16(0))  // e_shstrndx: SHN_UNDEF
        for (segment, offset) in zip(segments, dataOffsets) {
            bytes.appendLittleEndian(ELF64.loadSegment)
            bytes.appendLittleEndian(ELF64.readWriteExecute)
            bytes.appendLittleEndian(offset)
            bytes.appendLittleEndian(virtualAddresses == .physical ? segment.paddr : 0)  // p_vaddr
            bytes.appendLittleEndian(segment.paddr)
            bytes.appendLittleEndian(segment.size)  // p_filesz
            bytes.appendLittleEndian(segment.size)  // p_memsz
            bytes.appendLittleEndian(alignment)
        }
        if extendedNumbering {
            var section = [UInt8](repeating: 0, count: ELF64.sectionHeaderSize)
            section.storeLittleEndian(UInt32(segments.count), at: ELF64.sectionInfo)
            bytes += section
        }
        return bytes
    }
}
