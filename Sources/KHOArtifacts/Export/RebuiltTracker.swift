import KHOABI

/// The tracker of a preserved set, rebuilt into fresh pages with the
/// kernel's own code: the radix tree (``RadixTracker``) with its root at the
/// address the root FDT names, or the kho-v1 bitmaps serialized
/// (``BitmapTracker``) with the first chunk there; every other page is one of
/// the lowest free pages of memory (a v1a bitmap takes a page of its own).
///
/// A ledger that does not hold the tracker pages of a handover (an import,
/// an event stream) records only the preserved set, so an export rebuilds
/// them; a walk of the result yields exactly the set. Synthetic captures
/// are built the same way.
public struct RebuiltTracker: Sendable {
    /// Every tracker page by address, the root (first chunk) included.
    public let pages: [UInt64: [UInt8]]

    /// Inserts `blocks` under `root`, taking pages from `free`; a kho-v1
    /// `bitmapVariant` builds bitmaps and chunks instead of a radix tree.
    public init(blocks: [PreservedBlock], root: UInt64, geometry: PageGeometry, depthFormula: RadixDepthFormula = .fixed,
                bitmapVariant: BitmapVariant? = nil, free: FreePages) throws(ExportError) {
        var memory = Memory(geometry: geometry, pages: [:], free: free, root: root)
        let radix = RadixTracker(geometry: geometry, rootPhys: root, depthFormula: depthFormula)
        var bitmaps = bitmapVariant.map { BitmapTracker(geometry: geometry, variant: $0) }
        if bitmaps == nil { memory.pages[root] = [UInt8](repeating: 0, count: geometry.pageSize) }
        for block in blocks {
            do {
                if bitmaps != nil { try bitmaps!.insert(block, in: &memory) } else { try radix.insert(block, in: &memory) }
            } catch let error as ExportError {
                throw error
            } catch {
                throw .trackerBlock(block, reason: "\(error)")
            }
        }
        if let bitmaps {
            do {
                _ = try bitmaps.serialize(in: &memory)
            } catch let error as ExportError {
                throw error
            } catch {
                throw .noRoomForTracker(nodes: memory.pages.count)
            }
        }
        pages = memory.pages
    }

    /// Page-sized words in a dictionary of pages.
    private struct Memory: RadixTrackerMemory, BitmapTrackerMemory {
        let geometry: PageGeometry
        var pages: [UInt64: [UInt8]]
        var free: FreePages
        /// Where the first kho-v1 chunk goes (the radix root is placed up front).
        let root: UInt64

        mutating func allocateBitmap(bytes: Int) throws -> UInt64 { try allocateNodePage() }

        mutating func allocateChunkPage() throws -> UInt64 {
            guard pages[root] != nil else {
                pages[root] = [UInt8](repeating: 0, count: geometry.pageSize)
                return root
            }
            return try allocateNodePage()
        }

        mutating func freeChunkPage(_ phys: UInt64) throws { pages[phys] = nil }

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
