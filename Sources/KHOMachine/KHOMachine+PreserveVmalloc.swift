import KHOABI

extension KHOMachine {
    /// `kho_preserve_vmalloc(area, desc)`, step by step as the kernel does it;
    /// the descriptor lives in emulated memory at `descriptorPhys`.
    ///
    /// Chunk pages are allocated zeroed and preserved one at a time; `first`
    /// is stored as soon as chunk 0 exists, `total_pages`, `flags` and `order`
    /// only on success. A full chunk immediately gets a successor, so an area
    /// whose block count is a multiple of K ends in an empty chunk.
    /// -EINVAL: no such area; -EOPNOTSUPP: unsupported vm flags; -ENOMEM: no
    /// chunk page; tracker errors. A failure after chunk 0 exists unpreserves
    /// everything preserved so far and frees the chunk pages; a failure to
    /// get chunk 0 returns at once, leaving the descriptor untouched.
    public func preserveVmalloc(area name: String, descriptorPhys: UInt64) throws(MachineError) {
        try memory.check(descriptorPhys, count: VmallocDescriptor.size)
        try perform(.preserveVmalloc, subject: name, arguments: [("descriptor", .address(descriptorPhys))]) { event throws(MachineError) in
            guard let area = areas[name] else { throw .kernel(.EINVAL, "\"\(name)\" is not a vmalloc area") }
            guard area.vmFlags.isSubset(of: [.alloc, .allowHugeVmap]) else {
                throw .kernel(.EOPNOTSUPP, "area \"\(name)\" has vm flags outside VM_ALLOC | VM_ALLOW_HUGE_VMAP")
            }
            event.extents = BlockRun.runs(of: area.blocks.map { PreservedBlock(phys: $0, order: area.order) }, geometry: geometry)
            var firstStored = false
            do throws(MachineError) {
                try buildChunks(area, descriptorPhys: descriptorPhys, firstStored: &firstStored, into: &event)
            } catch {
                event.chunks = []
                // Without chunk 0 the kernel returns at once: `desc.first` may
                // still point at an older chain, which must not be touched.
                if firstStored { try unpreserveChunks(descriptorPhys: descriptorPhys, into: &event) }
                event.pages = touchedPages(descriptorPhys, count: VmallocDescriptor.size)
                throw error
            }
        }
    }

    private func buildChunks(_ area: VmallocArea, descriptorPhys: UInt64, firstStored: inout Bool,
                             into event: inout MachineEvent) throws(MachineError) {
        let k = geometry.vmallocChunkEntries
        var chunks: [UInt64] = []
        func newChunk() throws(MachineError) -> UInt64 {
            guard let phys = allocateZeroed(order: 0) else { throw .kernel(.ENOMEM, "no page for vmalloc chunk \(chunks.count)") }
            do {
                try checkScratchOverlap(phys, size: UInt64(geometry.pageSize))
                try trackerAdd([PreservedBlock(phys: phys, order: 0)], into: &event)
            } catch {
                allocator.free(phys, order: 0)
                throw .kernel(.ENOMEM, "cannot preserve vmalloc chunk \(chunks.count): \(error)")
            }
            chunks.append(phys)
            return phys
        }
        var current = try newChunk()
        try memory.storeWord(current, at: descriptorPhys)
        firstStored = true
        var index = 0
        let blockPages = UInt64(1) << UInt64(area.order)
        for block in area.blocks {
            let blocks = try splitRange(block, count: blockPages, numa: true)
            try checkScratchOverlap(block, size: blockPages * UInt64(geometry.pageSize))
            try trackerAdd(blocks, into: &event)
            try memory.storeWord(block, at: current + 8 + 8 * UInt64(index))
            index += 1
            if index == k {
                let next = try newChunk()
                try memory.storeWord(next, at: current)
                current = next
                index = 0
            }
        }
        // Only now are total_pages, flags and order stored; the descriptor's
        // old contents are never read (a stale order must not matter).
        let descriptor = VmallocDescriptor(first: chunks[0], totalPages: UInt32(area.pages.count),
                                           flags: area.khoFlags, order: UInt16(area.order))
        try memory.write(descriptor.encode(), at: descriptorPhys)
        event.descriptor = (descriptorPhys, descriptor)
        event.chunks = chunks.enumerated().map { .init(index: $0.offset, phys: $0.element, bytes: memory.page($0.element)) }
        event.pages = touchedPages(descriptorPhys, count: VmallocDescriptor.size)
    }

    /// `kho_unpreserve_vmalloc(desc)`: walks the chunk list from the
    /// descriptor in memory, unpreserving each chunk page and each entry as a
    /// range of 2^desc.order pages, and frees the chunk pages. The descriptor
    /// is left as it is.
    public func unpreserveVmalloc(descriptorPhys: UInt64, name: String? = nil) throws(MachineError) {
        try memory.check(descriptorPhys, count: VmallocDescriptor.size)
        try perform(.unpreserveVmalloc, subject: name, arguments: [("descriptor", .address(descriptorPhys))]) { event throws(MachineError) in
            try unpreserveChunks(descriptorPhys: descriptorPhys, into: &event)
        }
    }

    private func unpreserveChunks(descriptorPhys: UInt64, into event: inout MachineEvent) throws(MachineError) {
        let descriptor = try readDescriptor(descriptorPhys)
        let blockPages = UInt64(1) << UInt64(descriptor.order)
        var visited: Set<UInt64> = []
        var chunkPhys = descriptor.first
        while chunkPhys != 0 {
            guard visited.insert(chunkPhys).inserted else {
                throw .abi("vmalloc chunk list of descriptor \(hex(descriptorPhys)) revisits \(hex(chunkPhys))")
            }
            let chunk = try decodeChunk(chunkPhys)
            try trackerRemove([PreservedBlock(phys: chunkPhys, order: 0)], into: &event)
            for block in chunk.entries {
                try trackerRemove(splitRange(block, count: blockPages, numa: true), into: &event)
            }
            allocator.free(chunkPhys, order: 0)
            chunkPhys = chunk.next
        }
    }

    /// The descriptor at `phys` as the kernel reads it: raw, unchecked.
    func readDescriptor(_ phys: UInt64) throws(MachineError) -> VmallocDescriptor {
        try decode("descriptor", at: phys, count: VmallocDescriptor.size) { bytes throws(KHOABIError) in
            try VmallocDescriptor(unchecked: bytes)
        }
    }

    func decodeChunk(_ phys: UInt64) throws(MachineError) -> VmallocChunk {
        try decode("vmalloc chunk", at: phys, count: geometry.pageSize) { bytes throws(KHOABIError) in
            try VmallocChunk(bytes: bytes, geometry: geometry)
        }
    }

    /// Reads `count` bytes at `phys` and decodes them, naming `what` and the
    /// address when the bytes are not a valid structure.
    private func decode<T>(_ what: String, at phys: UInt64, count: Int,
                           _ body: ([UInt8]) throws(KHOABIError) -> T) throws(MachineError) -> T {
        let bytes = try memory.read(phys, count: count)
        do {
            return try body(bytes)
        } catch {
            throw .abi("\(what) at \(hex(phys)): \(error)")
        }
    }
}
