import KHOImage
import KHOMachine

/// All of RAM: metadata pages as built, random bytes in preserved data
/// pages, zero elsewhere.
public struct SyntheticImage: PhysicalMemoryImage {
    let layout: SyntheticLayout
    let pages: [UInt64: [UInt8]]
    public let mappedRanges: [Range<UInt64>]

    public func read(phys: UInt64, count: Int) throws(ImageError) -> [UInt8] {
        let pageSize = layout.pageSize
        precondition(phys % pageSize == 0 && UInt64(count) % pageSize == 0, "the writer reads whole pages")
        var bytes = [UInt8](repeating: 0, count: count)
        for page in stride(from: phys, to: phys + UInt64(count), by: Int(pageSize)) {
            let offset = Int(page - phys)
            if let content = pages[page] {
                bytes.replaceSubrange(offset ..< offset + Int(pageSize), with: content)
            } else if layout.isData(page) {
                var random = SplitMix64(seed: page)
                bytes.replaceSubrange(offset ..< offset + Int(pageSize), with: random.bytes(Int(pageSize)))
            }
        }
        return bytes
    }
}
