import KHOABI

extension KHOMachine {
    /// The page order a huge vmalloc mapping uses: PMD size (one table page of PTEs).
    public var hugeOrder: Int { geometry.tableSizeLog2 }

    /// `vmalloc`: an area of `size` bytes (rounded up to pages). With `huge`
    /// and at least one PMD-sized block of pages, the area is backed by
    /// naturally aligned order-``hugeOrder`` blocks (size rounded up to them);
    /// smaller huge requests fall back to order-0 pages but keep HUGE_VMAP.
    /// `vmap` makes a `VM_MAP` area, which KHO refuses to preserve.
    @discardableResult
    public func vmalloc(name: String, size: UInt64, huge: Bool = false, vmap: Bool = false) throws(MachineError) -> VmallocArea {
        guard areas[name] == nil else { throw .duplicateObject(kind: "vmalloc area", name: name) }
        guard size > 0, size <= memory.range.size else { throw .invalidArgument("vmalloc size \(size) is not possible in \(memory.range.size) bytes of memory") }
        let ps = UInt64(geometry.pageSize)
        var pageCount = (size + ps - 1) / ps
        let order = huge && pageCount >= UInt64(1) << UInt64(hugeOrder) ? hugeOrder : 0
        let blockPages = UInt64(1) << UInt64(order)
        pageCount = (pageCount + blockPages - 1) / blockPages * blockPages
        var flags: VmallocArea.VMFlags = vmap ? [.map] : [.alloc]
        if huge { flags.insert(.allowHugeVmap) }
        return try perform(.vmalloc, subject: name, arguments: [("size", .count(size)), ("huge", .flag(huge)), ("vmap", .flag(vmap))]) { event throws(MachineError) in
            var pages: [UInt64] = []
            pages.reserveCapacity(Int(pageCount))
            var blocks: [UInt64] = []
            for _ in 0..<pageCount / blockPages {
                guard let phys = allocateZeroed(order: order) else {
                    for block in blocks { allocator.free(block, order: order) }
                    throw .kernel(.ENOMEM, "vmalloc of \(pageCount) pages: memory exhausted after \(blocks.count) blocks")
                }
                blocks.append(phys)
                for i in 0..<blockPages { pages.append(phys + i * ps) }
            }
            let area = VmallocArea(name: name, pages: pages, order: order, vmFlags: flags)
            areas[name] = area
            event.arguments.append(("order", .count(order)))
            event.extents = BlockRun.runs(of: blocks.map { PreservedBlock(phys: $0, order: order) }, geometry: geometry)
            return area
        }
    }

    /// `vfree`: releases the area's pages (preserved or not; the audit flags
    /// freeing preserved memory).
    public func vfree(name: String) throws(MachineError) {
        let area = try vmallocArea(name)
        try perform(.vfree, subject: name) { _ in
            for block in area.blocks { allocator.free(block, order: area.order) }
            areas[name] = nil
        }
    }

    /// Writes `bytes` at `offset` into an area or a folio set (``pages(of:)``).
    public func write(area name: String, offset: Int, bytes: [UInt8]) throws(MachineError) {
        let pages = try pages(of: name)
        guard offset >= 0, offset + bytes.count <= pages.count * geometry.pageSize else {
            throw .invalidArgument("write of \(bytes.count) bytes at offset \(offset) exceeds \"\(name)\" of \(pages.count * geometry.pageSize) bytes")
        }
        try perform(.write, subject: name, arguments: [("offset", .count(offset)), ("length", .count(bytes.count))]) { event throws(MachineError) in
            var done = 0
            while done < bytes.count {
                let position = offset + done
                let pageIndex = position / geometry.pageSize
                let inPage = position % geometry.pageSize
                let n = min(bytes.count - done, geometry.pageSize - inPage)
                let phys = pages[pageIndex]
                try memory.write(Array(bytes[done..<done + n]), at: phys + UInt64(inPage))
                event.pages.append(.init(phys: phys, bytes: memory.page(phys)))
                done += n
            }
        }
    }

    /// Reads `count` bytes at `offset` of an area.
    public func read(area name: String, offset: Int = 0, count: Int? = nil) throws(MachineError) -> [UInt8] {
        let area = try vmallocArea(name)
        let count = count ?? area.size(geometry) - offset
        guard offset >= 0, count >= 0, offset + count <= area.size(geometry) else {
            throw .invalidArgument("read of \(count) bytes at offset \(offset) exceeds area \"\(name)\"")
        }
        var result: [UInt8] = []
        result.reserveCapacity(count)
        var done = 0
        while done < count {
            let position = offset + done
            let inPage = position % geometry.pageSize
            let n = min(count - done, geometry.pageSize - inPage)
            result += try memory.read(area.pages[position / geometry.pageSize] + UInt64(inPage), count: n)
            done += n
        }
        return result
    }

    /// Writes raw bytes at a physical address (e.g. a consumer struct into a
    /// preserved blob).
    public func write(phys: UInt64, bytes: [UInt8], name: String? = nil) throws(MachineError) {
        try memory.check(phys, count: bytes.count)
        try perform(.write, subject: name, arguments: [("phys", .address(phys)), ("length", .count(bytes.count))]) { event throws(MachineError) in
            try memory.write(bytes, at: phys)
            event.pages = touchedPages(phys, count: bytes.count)
        }
    }

    func vmallocArea(_ name: String) throws(MachineError) -> VmallocArea {
        guard let area = areas[name] else { throw .unknownObject(kind: "vmalloc area", name: name) }
        return area
    }

    /// The pages overlapping [phys, phys + count), with their current bytes.
    func touchedPages(_ phys: UInt64, count: Int) -> [MachineEvent.Page] {
        let mask = UInt64(geometry.pageSize - 1)
        let first = phys & ~mask
        let last = (phys + UInt64(max(count, 1)) - 1) & ~mask
        return stride(from: first, through: last, by: geometry.pageSize).map { .init(phys: $0, bytes: memory.page($0)) }
    }
}
