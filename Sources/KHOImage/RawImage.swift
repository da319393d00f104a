/// Physical memory as a flat file: the byte at file offset `n` is physical
/// address `base + n`. Reads outside `[base, base + size)` are `.unmapped`.
public final class RawImage: PhysicalMemoryImage, Sendable {
    /// Physical address of the file's first byte.
    public let base: UInt64
    private let table: SegmentTable

    /// Bytes of memory the image covers (the file size).
    public var size: Int { table.file.size }

    /// Maps the flat image at `path`, whose first byte is physical address `base`.
    public convenience init(path: String, base: UInt64) throws(ImageError) {
        try self.init(file: MappedFile(path: path), base: base)
    }

    /// Uses an already mapped file whose first byte is physical address `base`.
    /// Throws when `base + size` overflows; an empty file maps nothing.
    public init(file: MappedFile, base: UInt64) throws(ImageError) {
        let size = UInt64(file.size)
        guard !base.addingReportingOverflow(size).overflow else {
            throw .rawImageAddressOverflow(base: base, size: file.size)
        }
        self.base = base
        let whole = ImageSegment(paddr: base, size: size, fileOffset: 0, fileSize: size)
        table = SegmentTable(segments: size == 0 ? [] : [whole], file: file)
    }

    public func read(phys: UInt64, count: Int) throws(ImageError) -> [UInt8] {
        try table.read(phys: phys, count: count)
    }

    public var mappedRanges: [Range<UInt64>] { table.segments.map { $0.paddr..<$0.end } }

    public func releaseResidentPages() { table.file.releaseResidentPages() }
}
