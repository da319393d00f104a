import KHOABI

extension KHOMachine {
    /// `kho_restore_page` for the head page at `phys`: the page must be in
    /// memory, carry the KHO magic (only head pages do; a restore consumes it)
    /// and, on kho-v2 kernels, an order ≤ MAX_PAGE_ORDER. Returns the stored
    /// order, or the reason the kernel would return NULL.
    func restoreHead(_ phys: UInt64) -> Result<Int, MachineError> {
        let aligned = phys & ~UInt64(geometry.pageSize - 1)   // low PAGE_SHIFT bits are ignored
        guard memory.range.contains(aligned) else {
            return .failure(.restoreFailed("\(hex(phys)) is not an online page"))
        }
        let pfn = aligned >> UInt64(geometry.pageShift)
        guard incoming?.hasMagic(pfn: pfn) == true, let value = incoming?.pagePrivate[pfn] else {
            return .failure(.restoreFailed("page \(hex(aligned)) has no KHO magic (never preserved, a tail page, or already restored)"))
        }
        let order = Int(value & 0xffff_ffff)
        if config.abi == .v2, order > maxPageOrder {
            return .failure(.restoreFailed("page \(hex(aligned)) has order \(order) > MAX_PAGE_ORDER \(maxPageOrder)"))
        }
        incoming?.pagePrivate[pfn] = 0
        return .success(order)
    }

    /// `kho_restore_pages` without an event: re-splits the range (no NUMA
    /// cut) and restores each block; stops at the first failure, leaving
    /// earlier blocks restored.
    func restoreRange(_ phys: UInt64, count: UInt64, into event: inout MachineEvent) throws(MachineError) {
        for block in try splitRange(phys, count: count, numa: false) {
            switch restoreHead(block.phys) {
            case .success(let order):
                event.restored.append(PreservedBlock(phys: block.phys, order: order))
            case .failure(let error):
                throw error
            }
        }
    }

    /// `kho_restore_folio`: restores the folio at `phys` and returns its order.
    @discardableResult
    public func restoreFolio(_ phys: UInt64, name: String? = nil) throws(MachineError) -> Int {
        try perform(.restoreFolio, subject: name, arguments: [("phys", hex(phys))]) { event throws(MachineError) in
            let order = try restoreHead(phys).get()
            try memory.check(phys, count: Int(geometry.bytes(order: order)))
            event.restored = [PreservedBlock(phys: phys, order: order)]
            event.extents = [.init(phys: phys, order: order, count: 1)]
            folios[phys] = order
            return order
        }
    }

    /// `kho_restore_pages(phys, count)`.
    public func restorePages(_ phys: UInt64, count: UInt64, name: String? = nil) throws(MachineError) {
        try perform(.restorePages, subject: name, arguments: [("phys", hex(phys)), ("nr_pages", "\(count)")]) { event throws(MachineError) in
            try restoreRange(phys, count: count, into: &event)
            event.extents = extents(of: event.restored)
        }
    }

    /// `kho_restore_free`: restores the folio and frees it; a failure only
    /// warns (the call returns nothing); 0 is a no-op.
    public func restoreFree(_ phys: UInt64, name: String? = nil) throws(MachineError) {
        try perform(.restoreFree, subject: name, arguments: [("phys", hex(phys))]) { event throws(MachineError) in
            guard phys != 0 else { return }
            switch restoreHead(phys) {
            case .success(let order):
                event.restored = [PreservedBlock(phys: phys, order: order)]
                allocator.free(phys, order: order)
            case .failure(let error):
                event.arguments.append(("warning", error.description))
            }
        }
    }

    /// `kho_restore_vmalloc(desc)`: rebuilds a vmalloc area named `name` from
    /// the descriptor at `descriptorPhys`, with every check the kernel makes.
    /// Fails (NULL) when more or fewer pages are listed than declared, when a
    /// block or chunk page is not preserved at that order or already
    /// restored; blocks restored before the failure stay restored (no
    /// rollback). Chunk pages are freed as they are consumed.
    @discardableResult
    public func restoreVmalloc(descriptorPhys: UInt64, name: String) throws(MachineError) -> VmallocArea {
        guard areas[name] == nil else { throw .duplicateObject(kind: "vmalloc area", name: name) }
        try memory.check(descriptorPhys, count: VmallocDescriptor.size)
        return try perform(.restoreVmalloc, subject: name, arguments: [("descriptor", hex(descriptorPhys))]) { event throws(MachineError) in
            let raw = try memory.read(descriptorPhys, count: VmallocDescriptor.size)
            let first = raw.loadLittleEndian(UInt64.self, at: 0)
            let totalPages = UInt64(raw.loadLittleEndian(UInt32.self, at: 8))
            let flags = VmallocFlags(rawValue: raw.loadLittleEndian(UInt16.self, at: 12)).restored
            let order = Int(raw.loadLittleEndian(UInt16.self, at: 14))
            guard order <= maxPageOrder else {
                throw .restoreFailed("descriptor order \(order) is above MAX_PAGE_ORDER \(maxPageOrder)")
            }
            guard totalPages <= memory.range.size >> UInt64(geometry.pageShift) else {
                throw .restoreFailed("cannot allocate a page array of \(totalPages) entries")
            }
            let contig = UInt64(1) << UInt64(order)
            var pages: [UInt64] = []
            var chunkPhys = first
            var chunkIndex = 0
            while chunkPhys != 0 {
                guard geometry.isAligned(chunkPhys, order: 0), memory.range.contains(chunkPhys) else {
                    throw .restoreFailed("chunk \(chunkIndex) pointer \(hex(chunkPhys)) is not a page in memory")
                }
                let page = memory.page(chunkPhys)
                for slot in 0..<geometry.vmallocChunkEntries {
                    let phys = page.loadLittleEndian(UInt64.self, at: 8 + 8 * slot)
                    if phys == 0 { break }
                    guard UInt64(pages.count) + contig <= totalPages else {
                        throw .restoreFailed("chunk \(chunkIndex) at \(hex(chunkPhys)) entry \(slot) (\(hex(phys))) lists more than total_pages \(totalPages)")
                    }
                    do {
                        try restoreRange(phys, count: contig, into: &event)
                    } catch {
                        throw .restoreFailed("chunk \(chunkIndex) at \(hex(chunkPhys)) entry \(slot) (\(hex(phys))): \(error)")
                    }
                    for i in 0..<contig { pages.append(phys + i * UInt64(geometry.pageSize)) }
                }
                do {
                    try restoreRange(chunkPhys, count: 1, into: &event)
                } catch {
                    throw .restoreFailed("chunk \(chunkIndex) page \(hex(chunkPhys)): \(error)")
                }
                event.chunks.append(.init(index: chunkIndex, phys: chunkPhys, bytes: page))
                chunkPhys = page.loadLittleEndian(UInt64.self, at: 0)
                allocator.free(event.chunks.last!.phys, order: 0)
                chunkIndex += 1
            }
            guard UInt64(pages.count) == totalPages else {
                throw .restoreFailed("chunks list \(pages.count) pages, descriptor declares total_pages \(totalPages)")
            }
            var vmFlags: VmallocArea.VMFlags = []
            if flags.contains(.alloc) { vmFlags.insert(.alloc) }
            if flags.contains(.hugeVmap) { vmFlags.insert(.allowHugeVmap) }
            let area = VmallocArea(name: name, pages: pages, order: order, vmFlags: vmFlags)
            areas[name] = area
            event.descriptor = (descriptorPhys, VmallocDescriptor(first: first, totalPages: UInt32(totalPages), flags: flags, order: UInt16(order)))
            event.extents = MachineEvent.extents(of: area.blocks.map { PreservedBlock(phys: $0, order: order) }, geometry: geometry)
            return area
        }
    }
}
