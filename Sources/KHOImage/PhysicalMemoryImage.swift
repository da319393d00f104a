import KHOABI

/// Physical memory captured from a machine: an ELF core (kdump, QEMU
/// `dump-guest-memory`), a flat raw image, or an emulated machine's pages.
///
/// Reads are bounds-checked: a byte outside every mapped range is an error
/// naming its address, never a crash or silently zero.
public protocol PhysicalMemoryImage {
    /// Reads `count` bytes starting at physical address `phys`.
    func read(phys: UInt64, count: Int) throws(ImageError) -> [UInt8]

    /// The physical address ranges the image maps, ascending and disjoint.
    var mappedRanges: [Range<UInt64>] { get }

    /// Lets go of the image's pages this process holds in memory; later
    /// reads bring them back. Readers of huge images call it now and then
    /// to keep their memory bounded.
    func releaseResidentPages()
}

extension PhysicalMemoryImage {
    /// Images that map nothing hold nothing to release.
    public func releaseResidentPages() {}
}

extension PhysicalMemoryImage {
    /// Reads the whole page of `geometry` that starts at `phys`.
    public func readPage(_ phys: UInt64, geometry: PageGeometry) throws(ImageError) -> [UInt8] {
        try read(phys: phys, count: geometry.pageSize)
    }
}
