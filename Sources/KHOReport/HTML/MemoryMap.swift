/// One generation's physical memory as a grid of cells, each covering a
/// fixed power-of-two number of pages, with the preserved pages of each
/// owner in it.
///
/// Small memories get one cell per page; larger ones at most
/// ``maximumCells`` cells. A cell takes the colour of `leaked` when any of
/// its blocks leaked, else of the owner with the most pages in it, so a
/// single preserved frame stays visible at any scale.
struct MemoryMap {
    /// Who holds pages: the kind, the area, folio or blob name, and whether
    /// the next generation never claimed them.
    struct Owner: Hashable, Comparable {
        var kind: FrameKind
        var subject: String
        var leaked: Bool

        /// The fill colour.
        var colour: String { leaked ? FrameKind.leakedColour : kind.colour }

        /// `blob name`, and what became of it when it leaked.
        var label: String {
            (subject.isEmpty ? kind.rawValue : "\(kind.rawValue) \(subject)") + (leaked ? ", never claimed by the next generation" : "")
        }

        static func < (a: Owner, b: Owner) -> Bool { (a.kind, a.subject, a.leaked ? 0 : 1) < (b.kind, b.subject, b.leaked ? 0 : 1) }
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
    /// outside memory are ignored (also those of a frame or count no
    /// recording writes, which a damaged ledger's report may give).
    mutating func add(pfn: Int64, count: Int64, owner: Owner) {
        let (offset, below) = pfn.subtractingReportingOverflow(memoryBase / pageSize)
        guard !below, count > 0, offset < pages else { return }
        let (last, beyond) = offset.addingReportingOverflow(count)
        let first = max(offset, 0), end = beyond ? pages : min(last, pages)
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
        let leaked = owners.filter(\.key.leaked)
        let owner = (leaked.isEmpty ? owners : leaked).max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
        return (owner, preserved)
    }

    /// The physical address where cell `cell` starts.
    func phys(ofCell cell: Int64) -> Int64 { memoryBase + cell * pagesPerCell * pageSize }
}
