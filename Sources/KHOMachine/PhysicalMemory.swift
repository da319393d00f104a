import KHOABI

/// Page-granular, sparse physical memory: untouched pages cost nothing and
/// read as zero. Addressed by physical address.
public struct PhysicalMemory: Sendable {
    public let geometry: PageGeometry
    /// The RAM range.
    public let range: MemoryRange
    /// Page contents by pfn; absent pages are zero.
    private(set) var pages: [UInt64: [UInt8]] = [:]

    public init(geometry: PageGeometry, range: MemoryRange) {
        self.geometry = geometry
        self.range = range
    }

    private var shift: UInt64 { UInt64(geometry.pageShift) }
    private var mask: UInt64 { UInt64(geometry.pageSize - 1) }

    /// Throws unless [phys, phys + count) lies inside RAM.
    public func check(_ phys: UInt64, count: Int) throws(MachineError) {
        let (end, overflow) = phys.addingReportingOverflow(UInt64(count))
        guard count >= 0, !overflow, phys >= range.address, end <= range.end else {
            throw .outOfMemoryRange(address: phys, count: count)
        }
    }

    /// Reads `count` bytes at `phys`.
    public func read(_ phys: UInt64, count: Int) throws(MachineError) -> [UInt8] {
        try check(phys, count: count)
        var result = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let address = phys + UInt64(done)
            let offset = Int(address & mask)
            let n = min(count - done, geometry.pageSize - offset)
            if let page = pages[address >> shift] {
                result.replaceSubrange(done..<done + n, with: page[offset..<offset + n])
            }
            done += n
        }
        return result
    }

    /// The page at `phys` (page aligned), zero when untouched.
    public func page(_ phys: UInt64) -> [UInt8] {
        pages[phys >> shift] ?? [UInt8](repeating: 0, count: geometry.pageSize)
    }

    /// Writes `bytes` at `phys`.
    public mutating func write(_ bytes: [UInt8], at phys: UInt64) throws(MachineError) {
        try check(phys, count: bytes.count)
        var done = 0
        while done < bytes.count {
            let address = phys + UInt64(done)
            let offset = Int(address & mask)
            let n = min(bytes.count - done, geometry.pageSize - offset)
            let pfn = address >> shift
            if pages[pfn] == nil {
                if bytes[done..<done + n].allSatisfy({ $0 == 0 }) { done += n; continue }
                pages[pfn] = [UInt8](repeating: 0, count: geometry.pageSize)
            }
            pages[pfn]!.replaceSubrange(offset..<offset + n, with: bytes[done..<done + n])
            done += n
        }
    }

    /// Zeroes `pageCount` pages starting at `phys` (page aligned).
    public mutating func zero(_ phys: UInt64, pageCount: UInt64) {
        for i in 0..<pageCount { pages[(phys >> shift) + i] = nil }
    }

    /// Reads the little-endian u64 at `phys`.
    public func loadWord(_ phys: UInt64) throws(MachineError) -> UInt64 {
        try check(phys, count: 8)
        guard let page = pages[phys >> shift] else { return 0 }
        return page.loadLittleEndian(UInt64.self, at: Int(phys & mask))
    }

    /// Writes the little-endian u64 at `phys` (8-byte aligned).
    public mutating func storeWord(_ value: UInt64, at phys: UInt64) throws(MachineError) {
        try check(phys, count: 8)
        let pfn = phys >> shift
        if pages[pfn] == nil {
            if value == 0 { return }
            pages[pfn] = [UInt8](repeating: 0, count: geometry.pageSize)
        }
        pages[pfn]!.storeLittleEndian(value, at: Int(phys & mask))
    }

    /// Drops every page for which `keep(pfn)` is false: what a reboot does to
    /// memory nobody preserved.
    public mutating func scrub(keeping keep: (UInt64) -> Bool) {
        pages = pages.filter { keep($0.key) }
    }

    /// Physical addresses of all non-zero pages, ascending.
    public var touchedPages: [UInt64] { pages.keys.sorted().map { $0 << shift } }

    /// A ``MemoryReader`` over this memory.
    public var reader: MemoryReader {
        { [self] phys, count in try self.read(phys, count: count) }
    }
}
