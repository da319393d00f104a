import KHOLedger

/// The base pages of one object as of a point: where each lies (from the
/// run-length `object_extent` rows) and what it holds (from `page_content`
/// at the point's seq and lineage, as ids of the diff's first ledger).
struct ObjectPages {
    /// Physical address of every base page, in object order.
    private(set) var phys: [UInt64] = []
    /// `page_data` id of every base page; nil for a zero page.
    private(set) var content: [Int64?] = []

    var count: Int { phys.count }

    /// One primary-key lookup for the extents, then their content
    /// (``DiffSide/contentIDs(_:)``).
    init(objectID: Int64, at side: DiffSide) throws {
        let geometry = side.state.geometry
        let extents = try side.reading { snapshot in
            try ObjectExtents.ranges(snapshot, objectID: objectID, geometry: geometry, memory: side.state.memory)
        }
        let ids = try side.contentIDs(extents)
        for extent in extents {
            for page in stride(from: extent.lowerBound, to: extent.upperBound, by: geometry.pageSize) {
                phys.append(page)
                content.append(ids[page])
            }
        }
    }
}
