@testable import KHOABI

/// Sparse page-granular memory for tests: pages allocated bump-style from a
/// base, reads of unallocated pages fail. Implements the radix tracker's memory.
struct PageMemory: RadixTrackerMemory {
    let geometry: PageGeometry
    var pages: [UInt64: [UInt8]] = [:]
    var nextFree: UInt64
    /// Allocations after this many succeed fail with `OutOfMemory` (nil = never).
    var allocationsLeft: Int?

    struct OutOfMemory: Error {}
    struct Unmapped: Error { let phys: UInt64 }

    init(geometry: PageGeometry, base: UInt64 = 0x1_0000_0000) {
        self.geometry = geometry
        self.nextFree = base
    }

    mutating func allocateNodePage() throws -> UInt64 {
        if let left = allocationsLeft {
            guard left > 0 else { throw OutOfMemory() }
            allocationsLeft = left - 1
        }
        let phys = nextFree
        nextFree += UInt64(geometry.pageSize)
        pages[phys] = [UInt8](repeating: 0, count: geometry.pageSize)
        return phys
    }

    mutating func freeNodePage(_ phys: UInt64) throws { pages[phys] = nil }

    private func split(_ phys: UInt64) -> (page: UInt64, offset: Int) {
        let mask = UInt64(geometry.pageSize - 1)
        return (phys & ~mask, Int(phys & mask))
    }

    func loadWord(at phys: UInt64) throws -> UInt64 {
        let (page, offset) = split(phys)
        guard let bytes = pages[page] else { throw Unmapped(phys: phys) }
        return bytes.loadLittleEndian(UInt64.self, at: offset)
    }

    mutating func storeWord(_ value: UInt64, at phys: UInt64) throws {
        let (page, offset) = split(phys)
        guard pages[page] != nil else { throw Unmapped(phys: phys) }
        pages[page]!.storeLittleEndian(value, at: offset)
    }

    /// A ``MemoryReader`` over these pages (reads stay within one page).
    var reader: MemoryReader {
        { [pages, geometry] phys, count in
            let mask = UInt64(geometry.pageSize - 1)
            guard let bytes = pages[phys & ~mask] else { throw Unmapped(phys: phys) }
            let offset = Int(phys & mask)
            return Array(bytes[offset..<offset + count])
        }
    }
}
