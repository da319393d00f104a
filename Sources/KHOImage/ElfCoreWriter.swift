/// Writes physical memory as an ELF64 little-endian `ET_CORE` file: one
/// `PT_LOAD` per segment with `p_paddr` = physical address, `p_vaddr` per
/// ``VirtualAddresses`` (by default equal to `p_paddr`, so `gdb -c` and drgn,
/// which address a core by `p_vaddr`, read physical addresses), `p_filesz` =
/// `p_memsz`, flags RWX, `p_offset` and `p_align` = the alignment, no notes
/// and no section headers (the shape of the reference vectors' `memory.elf`,
/// readable by `readelf`, `gdb`, `drgn`, `crash` and this package).
///
/// Data streams to the file in bounded chunks; the file appears under its
/// final name only when it is complete. Zero runs of the data and the
/// alignment padding are holes, so a mostly empty core is a sparse file.
public struct ElfCoreWriter: Sendable {
    /// The `e_machine` written.
    public let machine: ElfMachine
    /// Alignment of every segment's file offset, usually the page size.
    public let alignment: Int
    /// What `p_vaddr` holds.
    public let virtualAddresses: VirtualAddresses

    /// The `p_vaddr` of each segment.
    public enum VirtualAddresses: Sendable {
        /// The physical address: debuggers read the core by physical address.
        case physical
        /// 0, as the reference vectors' cores and many dump tools write it.
        case zero
    }

    /// A writer for `machine` aligning segment data to `alignment`, which must
    /// be a positive power of two.
    public init(machine: ElfMachine = .x86_64, alignment: Int = 4096, virtualAddresses: VirtualAddresses = .physical) throws(ImageError) {
        guard alignment > 0, alignment.nonzeroBitCount == 1 else { throw .invalidAlignment(alignment) }
        self.machine = machine
        self.alignment = alignment
        self.virtualAddresses = virtualAddresses
    }

    /// Writes one segment per element, in the order given: `bytes` at
    /// physical address `paddr`. Segments must be non-empty and must not overlap.
    public func write(segments: [(paddr: UInt64, bytes: [UInt8])], toPath path: String) throws(ImageError) {
        let shape = segments.map { (paddr: $0.paddr, size: UInt64($0.bytes.count)) }
        let output = try OutputFile(path: path)
        try emit(shape, to: output) { (index, output) throws(ImageError) in
            try output.append(segments[index].bytes)
        }
        try output.commit()
    }

    /// Writes one segment per physical range, in the order given, copying its
    /// bytes from `source`. Ranges must be non-empty, must not overlap and must
    /// be readable from `source`.
    public func write(ranges: [Range<UInt64>], from source: some PhysicalMemoryImage,
                      toPath path: String) throws(ImageError) {
        let output = try OutputFile(path: path)
        try write(ranges: ranges, from: source, to: output)
        try output.commit()
    }

    /// Writes the core into `output` without committing it, so that a
    /// caller writing several files can publish them together. Zero pieces
    /// of the data become holes (a sparse file).
    public func write(ranges: [Range<UInt64>], from source: some PhysicalMemoryImage,
                      to output: OutputFile) throws(ImageError) {
        let shape = ranges.map { (paddr: $0.lowerBound, size: $0.upperBound - $0.lowerBound) }
        try emit(shape, to: output) { (index, output) throws(ImageError) in
            try output.append(ranges[index], from: source)
        }
    }

    /// Validates the layout, writes the headers, then each segment's data at
    /// its aligned offset via `data`.
    private func emit(_ segments: [(paddr: UInt64, size: UInt64)], to output: OutputFile,
                      data: (Int, OutputFile) throws(ImageError) -> Void) throws(ImageError) {
        let layout = try ElfCoreLayout(machine: machine, alignment: alignment, segments: segments, virtualAddresses: virtualAddresses)
        try output.append(layout.headers())
        for index in segments.indices {
            try output.pad(to: layout.dataOffsets[index])
            try data(index, output)
            precondition(output.position == layout.dataOffsets[index] + segments[index].size,
                         "segment \(index) wrote the wrong number of bytes")
        }
    }
}
