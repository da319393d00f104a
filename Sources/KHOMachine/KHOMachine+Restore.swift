import KHOABI

extension KHOMachine {
    /// `kho_restore_page` for the page holding `phys`: it must be online and
    /// carry the KHO magic (``PreservedHeads``: head pages only, consumed by
    /// the restore; kho-v2 kernels also refuse a stored order above
    /// MAX_PAGE_ORDER). Returns the stored order.
    func restoreHead(_ phys: UInt64) throws(MachineError) -> Int {
        let aligned = phys & ~UInt64(geometry.pageSize - 1)   // low PAGE_SHIFT bits are ignored
        guard memory.range.contains(aligned) else { throw .restoreFailed("\(hex(phys)) is not an online page") }
        // Mutated in place: a copy of the metadata per call would cost as much as the whole handover.
        guard let result = incoming?.heads.restoreHead(aligned) else {
            throw .restoreFailed(PageRestoreFailure.noMagic(phys: aligned).description)
        }
        return try result.mapError { MachineError.restoreFailed($0.description) }.get()
    }

    /// `kho_restore_pages` without an event: re-splits the range (no NUMA
    /// cut) and restores each block; stops at the first failure, leaving
    /// earlier blocks restored.
    func restoreRange(_ phys: UInt64, count: UInt64, into event: inout MachineEvent) throws(MachineError) {
        _ = try splitRange(phys, count: count, numa: false)
        if let failure = restorePages(phys, count: count, restored: &event.restored) {
            throw .restoreFailed(failure.description)
        }
    }

    /// `kho_restore_pages` over this generation's incoming page metadata,
    /// appending the blocks restored to `restored`.
    private func restorePages(_ phys: UInt64, count: UInt64, restored: inout [PreservedBlock]) -> PageRestoreFailure? {
        guard let result = incoming?.heads.restorePages(phys, count: count) else { return .noMagic(phys: phys) }
        restored += result.restored
        return result.failure
    }

    /// `kho_restore_folio`: restores the folio at `phys` and returns its order.
    @discardableResult
    public func restoreFolio(_ phys: UInt64, name: String? = nil) throws(MachineError) -> Int {
        try perform(.restoreFolio, subject: name, arguments: [("phys", .address(phys))]) { event throws(MachineError) in
            let order = try restoreHead(phys)
            try memory.check(phys, count: Int(geometry.bytes(order: order)))
            event.restored = [PreservedBlock(phys: phys, order: order)]
            event.extents = [.init(phys: phys, order: order, count: 1)]
            folios[phys] = order
            return order
        }
    }

    /// `kho_restore_pages(phys, count)`.
    public func restorePages(_ phys: UInt64, count: UInt64, name: String? = nil) throws(MachineError) {
        try perform(.restorePages, subject: name, arguments: [("phys", .address(phys)), ("nr_pages", .count(count))]) { event throws(MachineError) in
            try restoreRange(phys, count: count, into: &event)
            event.extents = BlockRun.runs(of: event.restored, geometry: geometry)
        }
    }

    /// `kho_restore_free`: restores the folio and frees it; a failure only
    /// warns (the call returns nothing); 0 is a no-op.
    public func restoreFree(_ phys: UInt64, name: String? = nil) throws(MachineError) {
        try perform(.restoreFree, subject: name, arguments: [("phys", .address(phys))]) { event throws(MachineError) in
            guard phys != 0 else { return }
            do throws(MachineError) {
                let order = try restoreHead(phys)
                event.restored = [PreservedBlock(phys: phys, order: order)]
                allocator.free(phys, order: order)
            } catch {
                event.arguments.append(("warning", .text(error.description)))
            }
        }
    }

    /// `kho_restore_vmalloc(desc)`: rebuilds a vmalloc area named `name` from
    /// the descriptor at `descriptorPhys` through ``VmallocRestoreWalk``,
    /// with every check the kernel makes. Fails (NULL) when more or fewer
    /// pages are listed than declared, when a block's or chunk page's head
    /// page has no KHO magic (never preserved, or already restored), or when
    /// `total_pages` is 0; blocks restored before the failure stay restored
    /// (no rollback) and chunk pages are freed as they are consumed. The
    /// area records no huge page order (the kernel maps it without setting
    /// one), so preserving it again lists every page as an order-0 block.
    @discardableResult
    public func restoreVmalloc(descriptorPhys: UInt64, name: String) throws(MachineError) -> VmallocArea {
        guard areas[name] == nil else { throw .duplicateObject(kind: "vmalloc area", name: name) }
        try memory.check(descriptorPhys, count: VmallocDescriptor.size)
        return try perform(.restoreVmalloc, subject: name, arguments: [("descriptor", .address(descriptorPhys))]) { event throws(MachineError) in
            let descriptor = try readDescriptor(descriptorPhys)
            guard UInt64(descriptor.totalPages) <= memory.range.size >> UInt64(geometry.pageShift) else {
                throw .restoreFailed("cannot allocate a page array of \(descriptor.totalPages) entries")
            }
            var restored: [PreservedBlock] = []
            var chunks: [MachineEvent.Chunk] = []
            let walk = VmallocRestoreWalk(
                geometry: geometry,
                readChunk: { [unowned self] phys in
                    guard memory.range.contains(phys) else { throw MachineError.outOfMemoryRange(address: phys, count: geometry.pageSize) }
                    return memory.page(phys)
                },
                restorePages: { [unowned self] phys, count in restorePages(phys, count: count, restored: &restored) },
                chunkDone: { [unowned self] index, phys, page in
                    chunks.append(.init(index: index, phys: phys, bytes: page))
                    allocator.free(phys, order: 0)
                })
            let layout: VmallocRestoreWalk.Layout
            do throws(RestoreError) {
                defer {
                    event.restored = restored
                    event.chunks = chunks
                }
                layout = try walk.run(descriptor)
            } catch {
                throw .restoreFailed(error.description)
            }
            let contig = UInt64(1) << UInt64(descriptor.order)
            let pages = layout.blockPhys.flatMap { block in (0..<contig).map { block + $0 * UInt64(geometry.pageSize) } }
            var vmFlags: VmallocArea.VMFlags = []
            let flags = descriptor.flags.restored
            if flags.contains(.alloc) { vmFlags.insert(.alloc) }
            if flags.contains(.hugeVmap) { vmFlags.insert(.allowHugeVmap) }
            let area = VmallocArea(name: name, pages: pages, order: 0, vmFlags: vmFlags)
            areas[name] = area
            event.descriptor = (descriptorPhys, descriptor)
            event.extents = BlockRun.runs(of: layout.blockPhys.map { PreservedBlock(phys: $0, order: Int(descriptor.order)) },
                                                 geometry: geometry)
            return area
        }
    }
}
