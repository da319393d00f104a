import KHOImage

/// An image that lets go of the pages this process holds after every
/// ``budget`` bytes of pages its reads touch, so that reading a capture of
/// any size keeps memory bounded (a mapped file's pages would otherwise
/// stay resident as they are read).
final class BoundedImage: PhysicalMemoryImage {
    /// Bytes of pages touched between two releases.
    static let budget: UInt64 = 16 << 20
    /// The granule a read touches: the host's smallest page.
    private static let granule: UInt64 = 4096

    private let image: any PhysicalMemoryImage
    private var touched: UInt64 = 0

    init(_ image: any PhysicalMemoryImage) { self.image = image }

    var mappedRanges: [Range<UInt64>] { image.mappedRanges }

    func read(phys: UInt64, count: Int) throws(ImageError) -> [UInt8] {
        let bytes = try image.read(phys: phys, count: count)
        touched += (UInt64(count) / Self.granule + 2) * Self.granule
        if touched >= Self.budget { releaseResidentPages() }
        return bytes
    }

    func releaseResidentPages() {
        image.releaseResidentPages()
        touched = 0
    }
}
