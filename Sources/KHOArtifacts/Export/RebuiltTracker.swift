import KHOABI

/// The radix tracker of a preserved set, rebuilt into fresh pages with the
/// kernel's insertion (``RadixTracker``): the root at the address the root
/// FDT names, the other nodes in the lowest free pages of memory.
///
/// The ledger does not record tracker node pages (only the preserved set),
/// so an export rebuilds them; a walk of the result yields exactly the set.
/// Synthetic captures are built the same way.
public struct RebuiltTracker: Sendable {
    /// Every node page by address, the root included.
    public let pages: [UInt64: [UInt8]]

    /// Inserts `blocks` under `root`, taking node pages from `free`.
    public init(blocks: [PreservedBlock], root: UInt64, geometry: PageGeometry, depthFormula: RadixDepthFormula = .fixed,
                free: FreePages) throws(ExportError) {
        var memory = Memory(geometry: geometry, pages: [root: [UInt8](repeating: 0, count: geometry.pageSize)], free: free)
        let tracker = RadixTracker(geometry: geometry, rootPhys: root, depthFormula: depthFormula)
        for block in blocks {
            do {
                try tracker.insert(block, in: &memory)
            } catch let error as ExportError {
                throw error
            } catch {
                throw .trackerBlock(block, reason: "\(error)")
            }
        }
        pages = memory.pages
    }

    /// Page-sized words in a dictionary of pages.
    private struct Memory: RadixTrackerMemory {
        let geometry: PageGeometry
        var pages: [UInt64: [UInt8]]
        var free: FreePages

        func loadWord(at phys: UInt64) throws -> UInt64 {
            let (page, offset) = locate(phys)
            return pages[page]!.loadLittleEndian(UInt64.self, at: offset)
        }

        mutating func storeWord(_ value: UInt64, at phys: UInt64) throws {
            let (page, offset) = locate(phys)
            pages[page]!.storeLittleEndian(value, at: offset)
        }

        mutating func allocateNodePage() throws -> UInt64 {
            guard let page = free.next() else { throw ExportError.noRoomForTracker(nodes: pages.count) }
            pages[page] = [UInt8](repeating: 0, count: geometry.pageSize)
            return page
        }

        mutating func freeNodePage(_ phys: UInt64) throws { pages[phys] = nil }

        /// The page holding `phys` (always a node page: the tracker only
        /// follows pointers it stored) and the offset in it.
        private func locate(_ phys: UInt64) -> (UInt64, Int) {
            let mask = UInt64(geometry.pageSize - 1)
            return (phys & ~mask, Int(phys & mask))
        }
    }
}

/// The free pages of a memory range, lowest first: pages outside `used`.
public struct FreePages: Sendable {
    private let used: [Range<UInt64>]
    private let end: UInt64
    private let pageSize: UInt64
    private var cursor: UInt64
    private var index = 0

    /// Pages of `memory` (page aligned) outside every range of `used`.
    public init(memory: Range<UInt64>, used: [Range<UInt64>], pageSize: Int) {
        self.used = AddressRuns(used, alignment: UInt64(pageSize)).runs
        end = memory.upperBound
        self.pageSize = UInt64(pageSize)
        cursor = memory.lowerBound
    }

    /// The next free page, or nil when memory is full.
    public mutating func next() -> UInt64? {
        while index < used.count, used[index].upperBound <= cursor { index += 1 }
        while index < used.count, used[index].lowerBound <= cursor {
            cursor = used[index].upperBound
            index += 1
        }
        guard cursor + pageSize <= end else { return nil }
        defer { cursor += pageSize }
        return cursor
    }
}
