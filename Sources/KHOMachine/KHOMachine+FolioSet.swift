import KHOABI

extension KHOMachine {
    /// Allocates the `count` zero-filled folios of order `order` of a file
    /// as one call (shmem filling a memfd's holes, as `memfd_pin_folios`
    /// does before a preservation): the set `name`, in file order. On
    /// -ENOMEM the folios already taken are freed again.
    @discardableResult
    public func allocFolios(count: Int, order: Int, name: String) throws(MachineError) -> FolioSet {
        guard (0...maxPageOrder).contains(order) else {
            throw .invalidArgument("order \(order) is outside 0...\(maxPageOrder)")
        }
        guard count > 0 else { throw .invalidArgument("a folio set needs at least one folio, not \(count)") }
        guard folioSets[name] == nil, areas[name] == nil else { throw .duplicateObject(kind: "folio set", name: name) }
        return try perform(.allocFolios, subject: name, arguments: [("order", .count(order)), ("nr_folios", .count(count))]) { event throws(MachineError) in
            let blockPages = 1 << order
            var pages: [UInt64] = []
            pages.reserveCapacity(count * blockPages)
            var blocks: [PreservedBlock] = []
            blocks.reserveCapacity(count)
            for _ in 0..<count {
                guard let phys = allocateZeroed(order: order) else {
                    for block in blocks { allocator.free(block.phys, order: order) }
                    throw .kernel(.ENOMEM, "\(count) order-\(order) folios: memory exhausted after \(blocks.count)")
                }
                blocks.append(PreservedBlock(phys: phys, order: order))
                for i in 0..<blockPages { pages.append(phys + UInt64(i * geometry.pageSize)) }
            }
            for block in blocks { folios[block.phys] = order }
            let set = FolioSet(name: name, order: order, pages: pages)
            folioSets[name] = set
            event.extents = BlockRun.runs(of: blocks, geometry: geometry)
            return set
        }
    }

    /// `kho_preserve_folio` of every folio of the set, in file order, as
    /// `memfd_luo_preserve_folios` loops (mm/memfd_luo.c): one call. When one
    /// fails (-EINVAL on scratch, -ENOMEM for a tracker node) the folios
    /// already preserved are unpreserved in reverse order and the call fails.
    public func preserveFolios(name: String) throws(MachineError) {
        let set = try folioSet(name)
        try perform(.preserveFolios, subject: name, arguments: [("order", .count(set.order)), ("nr_folios", .count(set.pages.count >> set.order))]) { event throws(MachineError) in
            let blocks = set.blocks
            var preserved = 0
            do throws(MachineError) {
                for block in blocks {
                    try checkScratchOverlap(block.phys, size: geometry.bytes(order: block.order))
                    try trackerAdd([block], into: &event)
                    preserved += 1
                }
            } catch {
                try? trackerRemove(Array(blocks[..<preserved].reversed()), into: &event)
                throw error
            }
            event.extents = BlockRun.runs(of: blocks, geometry: geometry)
        }
    }

    /// `kho_unpreserve_folio` of every folio of the set, as
    /// `memfd_luo_unpreserve_folios` loops (mm/memfd_luo.c): one call.
    public func unpreserveFolios(name: String) throws(MachineError) {
        let set = try folioSet(name)
        try perform(.unpreserveFolios, subject: name, arguments: [("order", .count(set.order)), ("nr_folios", .count(set.pages.count >> set.order))]) { event throws(MachineError) in
            try trackerRemove(set.blocks, into: &event)
        }
    }

    func folioSet(_ name: String) throws(MachineError) -> FolioSet {
        guard let set = folioSets[name] else { throw .unknownObject(kind: "folio set", name: name) }
        return set
    }

    /// The base pages of the object `name` in order: a vmalloc area or a folio set.
    public func pages(of name: String) throws(MachineError) -> [UInt64] {
        if let area = areas[name] { return area.pages }
        if let set = folioSets[name] { return set.pages }
        throw .unknownObject(kind: "vmalloc area or folio set", name: name)
    }
}
