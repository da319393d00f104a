/// One generation's physical memory as a grid of cells, each covering a
/// fixed power-of-two number of pages, with the preserved pages of each
/// owner in it.
///
/// Small memories get one cell per page; larger ones at most
/// ``maximumCells`` cells. A cell takes the colour of `leaked` when any of
/// its blocks leaked, else of the owner with the most pages in it, so a
/// single preserved frame stays visible at any scale.
struct MemoryMap {
    /// Who holds pages: the kind and the area, folio or blob name.
    struct Owner: Hashable, Comparable {
        var kind: FrameKind
        var subject: String

        static func < (a: Owner, b: Owner) -> Bool { (a.kind, a.subject) < (b.kind, b.subject) }
    }

    /// At most this many cells per generation.
    static let maximumCells: Int64 = 8192

    let generation: Int64
    let pageSize: Int64
    let memoryBase: Int64
    /// Pages of RAM.
    let pages: Int64
    /// Pages per cell, a power of two.
    let pagesPerCell: Int64
    /// Preserved pages per owner, by cell index (only cells holding some).
    private(set) var cells: [Int64: [Owner: Int64]] = [:]

    init(generation: Int64, pageSize: Int64, memoryBase: Int64, memoryBytes: Int64) {
        self.generation = generation
        self.pageSize = pageSize
        self.memoryBase = memoryBase
        pages = memoryBytes / pageSize
        var perCell: Int64 = 1
        while (pages + perCell - 1) / perCell > Self.maximumCells { perCell *= 2 }
        pagesPerCell = perCell
    }

    /// Cells in the grid.
    var cellCount: Int64 { (pages + pagesPerCell - 1) / pagesPerCell }

    /// Adds `count` pages from physical frame `pfn` held by `owner`; pages
    /// outside memory are ignored.
    mutating func add(pfn: Int64, count: Int64, owner: Owner) {
        let first = max(pfn - memoryBase / pageSize, 0), end = min(pfn - memoryBase / pageSize + count, pages)
        guard first < end else { return }
        var cell = first / pagesPerCell
        while cell * pagesPerCell < end {
            let overlap = min(end, (cell + 1) * pagesPerCell) - max(first, cell * pagesPerCell)
            cells[cell, default: [:]][owner, default: 0] += overlap
            cell += 1
        }
    }

    /// The owner a cell is drawn as, and the preserved pages in it.
    func dominant(_ cell: Int64) -> (owner: Owner, preserved: Int64)? {
        guard let owners = cells[cell] else { return nil }
        let preserved = owners.values.reduce(0, +)
        let leaked = owners.keys.filter { $0.kind == .leaked }.min()
        let owner = leaked ?? owners.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
        return (owner, preserved)
    }

    /// The physical address where cell `cell` starts.
    func phys(ofCell cell: Int64) -> Int64 { memoryBase + cell * pagesPerCell * pageSize }
}
