import KHOABI
import KHOImage

/// Pages of 4 KiB physical memory built by a test, and the blocks the
/// (imaginary) tracker preserves. Reads of a missing page throw
/// ``Unmapped``.
public struct CraftedMemory {
    public static let geometry = PageGeometry.kib4
    public static let pageSize = UInt64(geometry.pageSize)

    public private(set) var pages: [UInt64: [UInt8]] = [:]
    public var preserved: Set<PreservedBlock> = []

    /// A read outside every crafted page.
    public struct Unmapped: Error, CustomStringConvertible {
        public let address: UInt64
        public init(address: UInt64) { self.address = address }
        public var description: String { "no page at \(hex(address))" }
    }

    /// Writes `bytes` at `phys`, mapping zeroed pages as needed.
    public mutating func write(_ bytes: [UInt8], at phys: UInt64) {
        var done = 0
        while done < bytes.count {
            let address = phys + UInt64(done)
            let page = address & ~(Self.pageSize - 1)
            let offset = Int(address - page)
            let taken = min(bytes.count - done, Int(Self.pageSize) - offset)
            pages[page, default: [UInt8](repeating: 0, count: Int(Self.pageSize))]
                .replaceSubrange(offset ..< offset + taken, with: bytes[done ..< done + taken])
            done += taken
        }
    }

    /// Writes a little-endian u64 at `phys`.
    public mutating func store(_ value: UInt64, at phys: UInt64) {
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(value)
        write(bytes, at: phys)
    }

    public init() {}

    /// Removes the page at `phys` (it becomes a hole).
    public mutating func unmap(_ phys: UInt64) { pages[phys] = nil }

    /// Reads through the crafted pages.
    public var reader: MemoryReader {
        let pages = self.pages
        return { phys, count in
            var result: [UInt8] = []
            result.reserveCapacity(count)
            var address = phys
            while result.count < count {
                let page = address & ~(Self.pageSize - 1)
                guard let bytes = pages[page] else { throw Unmapped(address: address) }
                let offset = Int(address - page)
                let taken = min(count - result.count, bytes.count - offset)
                result += bytes[offset ..< offset + taken]
                address += UInt64(taken)
            }
            return result
        }
    }

    /// Writes the pages as an ELF core, one segment per run of contiguous pages.
    public func writeElf(to path: String) throws {
        var segments: [(paddr: UInt64, bytes: [UInt8])] = []
        for phys in pages.keys.sorted() {
            if let last = segments.last, last.paddr + UInt64(last.bytes.count) == phys {
                segments[segments.count - 1].bytes += pages[phys]!
            } else {
                segments.append((phys, pages[phys]!))
            }
        }
        try ElfCoreWriter().write(segments: segments, toPath: path)
    }
}
