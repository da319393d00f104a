import KHOABI

/// Physical memory given page by page by a fuzz input, so that a walker
/// can follow pointers through bytes the fuzzer chooses.
///
/// The input is a sequence of records: a little-endian `u64` physical
/// address followed by one page of bytes (a trailing partial record is
/// ignored). The first record's address is the entry point (a vmalloc
/// descriptor, a tracker root). A read succeeds only when every page it
/// touches was given; a later record for the same address wins.
public struct PagedMemory {
    /// Page size of the records.
    public let geometry: PageGeometry
    /// The first record's address, or nil for an input without a whole record.
    public let entry: UInt64?
    private var pages: [UInt64: ArraySlice<UInt8>] = [:]

    /// Splits `input` into records of `geometry`'s page size.
    public init(_ input: [UInt8], geometry: PageGeometry) {
        self.geometry = geometry
        let recordSize = 8 + geometry.pageSize
        var entry: UInt64?
        var offset = 0
        while offset + recordSize <= input.count {
            let phys = input.loadLittleEndian(UInt64.self, at: offset)
            entry = entry ?? phys
            pages[phys] = input[(offset + 8)..<(offset + recordSize)]
            offset += recordSize
        }
        self.entry = entry
    }

    /// Reads `count` bytes at `phys`; throws ``PagedMemoryError`` for a
    /// byte on a page the input did not give.
    public func read(_ phys: UInt64, _ count: Int) throws(PagedMemoryError) -> [UInt8] {
        guard count >= 0, phys <= UInt64.max - UInt64(count) else { throw .outside(phys: phys, count: count) }
        let pageSize = UInt64(geometry.pageSize)
        var bytes: [UInt8] = []
        var address = phys
        let end = phys + UInt64(count)
        while address < end {
            let pageStart = address - address % pageSize
            guard let page = pages[pageStart] else { throw .missingPage(pageStart) }
            let from = Int(address - pageStart)
            let to = Int(min(end - pageStart, pageSize))
            bytes += page[(page.startIndex + from)..<(page.startIndex + to)]
            address = pageStart + UInt64(to)
        }
        return bytes
    }
}

/// A read outside the pages a fuzz input gave.
public enum PagedMemoryError: Error, CustomStringConvertible {
    /// No record holds the page at this address.
    case missingPage(UInt64)
    /// The range wraps around the address space or has a negative length.
    case outside(phys: UInt64, count: Int)

    public var description: String {
        switch self {
        case .missingPage(let phys): return "no page at \(hex(phys))"
        case let .outside(phys, count): return "\(count) bytes at \(hex(phys)) are outside the address space"
        }
    }
}
