import KHOABI

extension KHOMachine {
    /// `kho_preserve_folio`: adds (phys, order) to the tracker.
    ///
    /// -EINVAL when the folio overlaps scratch (debug check), -ENOMEM when a
    /// tracker node cannot be allocated.
    public func preserveFolio(_ phys: UInt64, order: Int, name: String? = nil) throws(MachineError) {
        try checkBlock(phys, order: order)
        try perform(.preserveFolio, subject: name, arguments: [("phys", .address(phys)), ("order", .count(order))]) { event throws(MachineError) in
            try checkScratchOverlap(phys, size: geometry.bytes(order: order))
            try trackerAdd([PreservedBlock(phys: phys, order: order)], into: &event)
            event.extents = [.init(phys: phys, order: order, count: 1)]
        }
    }

    /// `kho_unpreserve_folio`: removes (phys, order); returns nothing, as in the kernel.
    public func unpreserveFolio(_ phys: UInt64, order: Int, name: String? = nil) throws(MachineError) {
        try checkBlock(phys, order: order)
        try perform(.unpreserveFolio, subject: name, arguments: [("phys", .address(phys)), ("order", .count(order))]) { event throws(MachineError) in
            try trackerRemove([PreservedBlock(phys: phys, order: order)], into: &event)
        }
    }

    /// `kho_preserve_pages`: splits [phys, phys + count pages) per the kernel
    /// (with the NUMA cut when modelled) and adds every block; on failure the
    /// blocks already added are removed.
    public func preservePages(_ phys: UInt64, count: UInt64, name: String? = nil) throws(MachineError) {
        let blocks = try splitRange(phys, count: count, numa: true)
        try perform(.preservePages, subject: name, arguments: [("phys", .address(phys)), ("nr_pages", .count(count))]) { event throws(MachineError) in
            try checkScratchOverlap(phys, size: count * UInt64(geometry.pageSize))
            try trackerAdd(blocks, into: &event)
            event.extents = BlockRun.runs(of: blocks, geometry: geometry)
        }
    }

    /// `kho_unpreserve_pages`: removes every block of the range's split.
    public func unpreservePages(_ phys: UInt64, count: UInt64, name: String? = nil) throws(MachineError) {
        let blocks = try splitRange(phys, count: count, numa: true)
        try perform(.unpreservePages, subject: name, arguments: [("phys", .address(phys)), ("nr_pages", .count(count))]) { event throws(MachineError) in
            try trackerRemove(blocks, into: &event)
        }
    }

    /// `kho_alloc_preserve`: allocates a zeroed folio of get_order(size) and
    /// preserves it. -EINVAL for size 0, -E2BIG above MAX_PAGE_ORDER, -ENOMEM,
    /// or the preserve error (the folio is freed again).
    @discardableResult
    public func allocPreserve(size: UInt64, name: String? = nil) throws(MachineError) -> UInt64 {
        try perform(.allocPreserve, subject: name, arguments: [("size", .count(size))]) { event throws(MachineError) in
            guard size > 0 else { throw .kernel(.EINVAL, "size 0") }
            let order = geometry.order(forSize: size)
            guard order <= maxPageOrder else { throw .kernel(.E2BIG, "order \(order) > MAX_PAGE_ORDER \(maxPageOrder)") }
            guard let phys = allocateZeroed(order: order) else { throw .kernel(.ENOMEM, "no free order-\(order) block") }
            do throws(MachineError) {
                try checkScratchOverlap(phys, size: geometry.bytes(order: order))
                try trackerAdd([PreservedBlock(phys: phys, order: order)], into: &event)
            } catch {
                allocator.free(phys, order: order)
                throw error
            }
            folios[phys] = order
            event.arguments.append(("result", .address(phys)))
            event.extents = [.init(phys: phys, order: order, count: 1)]
            return phys
        }
    }

    /// `kho_unpreserve_free`: removes the folio's entry and frees it; 0 is a no-op.
    public func unpreserveFree(_ phys: UInt64, name: String? = nil) throws(MachineError) {
        guard phys != 0 else {
            return try perform(.unpreserveFree, subject: name, arguments: [("phys", .address(0))]) { _ in }
        }
        let order = try folioOrder(phys)
        try perform(.unpreserveFree, subject: name, arguments: [("phys", .address(phys)), ("order", .count(order))]) { event throws(MachineError) in
            try trackerRemove([PreservedBlock(phys: phys, order: order)], into: &event)
            folios[phys] = nil
            allocator.free(phys, order: order)
        }
    }

    /// Allocates a zeroed folio without preserving it (e.g. data a consumer
    /// preserves later with ``preserveFolio(_:order:name:)``).
    @discardableResult
    public func allocPages(order: Int, name: String? = nil) throws(MachineError) -> UInt64 {
        guard (0...maxPageOrder).contains(order) else {
            throw .invalidArgument("order \(order) is outside 0...\(maxPageOrder)")
        }
        return try perform(.allocPages, subject: name, arguments: [("order", .count(order))]) { event throws(MachineError) in
            guard let phys = allocateZeroed(order: order) else { throw .kernel(.ENOMEM, "no free order-\(order) block") }
            folios[phys] = order
            event.arguments.append(("result", .address(phys)))
            event.extents = [.init(phys: phys, order: order, count: 1)]
            return phys
        }
    }

    /// Frees a folio (whether or not it is still preserved: the kernel does
    /// not stop you; the audit does).
    public func freePages(_ phys: UInt64, name: String? = nil) throws(MachineError) {
        let order = try folioOrder(phys)
        try perform(.freePages, subject: name, arguments: [("phys", .address(phys)), ("order", .count(order))]) { _ in
            folios[phys] = nil
            allocator.free(phys, order: order)
        }
    }

    // MARK: checks

    func folioOrder(_ phys: UInt64) throws(MachineError) -> Int {
        guard let order = folios[phys] else {
            throw .unknownObject(kind: "folio", name: hex(phys))
        }
        return order
    }

    func checkBlock(_ phys: UInt64, order: Int) throws(MachineError) {
        guard (0...geometry.order0Log2).contains(order) else {
            throw .invalidArgument("order \(order) is outside 0...\(geometry.order0Log2)")
        }
        guard geometry.isAligned(phys, order: order) else {
            throw .invalidArgument("\(hex(phys)) is not aligned to an order-\(order) block")
        }
        try memory.check(phys, count: Int(geometry.bytes(order: order)))
    }

    func splitRange(_ phys: UInt64, count: UInt64, numa: Bool) throws(MachineError) -> [PreservedBlock] {
        guard geometry.isAligned(phys, order: 0), count > 0 else {
            throw .invalidArgument("page range \(hex(phys)) + \(count) pages must be page aligned and non-empty")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: UInt64(geometry.pageSize))
        guard !overflow, bytes <= UInt64(Int.max) else { throw .outOfMemoryRange(address: phys, count: Int.max) }
        try memory.check(phys, count: Int(bytes))
        do {
            return try PageRangeSplitter.blocks(phys: phys, pages: count, geometry: geometry, node: numa && config.abi.splitsAtNUMANodes ? numaNode : nil)
        } catch {
            throw .invalidArgument(error.description)
        }
    }
}
