/// One physically contiguous range of an image and where its bytes are in the file.
///
/// Bytes `[paddr, paddr + fileSize)` come from the file starting at
/// `fileOffset`; bytes `[paddr + fileSize, paddr + size)` read as zero (an ELF
/// segment whose `p_memsz` exceeds its `p_filesz`).
public struct ImageSegment: Hashable, Sendable {
    /// First physical address of the segment (`p_paddr`).
    public let paddr: UInt64
    /// Bytes of physical memory the segment covers (`p_memsz`), never 0.
    public let size: UInt64
    /// File offset of the segment's first byte (`p_offset`).
    public let fileOffset: UInt64
    /// Bytes stored in the file (`p_filesz`), at most `size`.
    public let fileSize: UInt64

    /// Creates a segment the caller has validated: `0 < size`, `fileSize <= size`,
    /// `paddr + size` does not overflow and the file data lies inside the file.
    init(paddr: UInt64, size: UInt64, fileOffset: UInt64, fileSize: UInt64) {
        self.paddr = paddr
        self.size = size
        self.fileOffset = fileOffset
        self.fileSize = fileSize
    }

    /// One past the last physical address of the segment.
    public var end: UInt64 { paddr + size }
}
