import KHOABI

/// The kho-v1 tracker's view of the machine: its bitmaps and chunk pages are
/// emulated memory.
///
/// Where the memory comes from follows the release: v1b (6.18 – 7.0) takes
/// every bitmap and chunk as a whole zeroed page (`get_zeroed_page`) and
/// refuses one inside scratch (-EINVAL, with the debug check on). v1a (6.16,
/// 6.17) takes them from the slab (`kzalloc`): a chunk is a page-sized,
/// page-aligned object, modelled as a whole page; bitmaps are 512-byte
/// objects, which the emulator carves from slab pages in allocation order —
/// a fresh zeroed page when the current one is full, objects at ascending
/// offsets from 0, never freed (the kernel never frees a bitmap before
/// kexec). Real kernels' slab placement depends on the allocator state; the
/// handed-over bytes only depend on where each bitmap lies, which the chunk
/// list records.
struct BitmapMemory: BitmapTrackerMemory {
    unowned let machine: KHOMachine

    func loadWord(at phys: UInt64) throws -> UInt64 { try machine.memory.loadWord(phys) }

    mutating func storeWord(_ value: UInt64, at phys: UInt64) throws {
        try machine.memory.storeWord(value, at: phys)
    }

    mutating func allocateBitmap(bytes: Int) throws -> UInt64 {
        let pageSize = machine.geometry.pageSize
        guard bytes < pageSize else { return try wholePage("a bitmap") }
        if let slab = machine.bitmapSlab, (slab.objects + 1) * bytes <= pageSize {
            machine.bitmapSlab = (slab.page, slab.objects + 1)
            return slab.page + UInt64(slab.objects * bytes)
        }
        guard let page = machine.allocateZeroed(order: 0) else {
            throw MachineError.kernel(.ENOMEM, "no page for a slab of bitmaps")
        }
        machine.bitmapSlab = (page, 1)
        return page
    }

    mutating func allocateChunkPage() throws -> UInt64 { try wholePage("a khoser_mem_chunk") }

    mutating func freeChunkPage(_ phys: UInt64) throws { machine.allocator.free(phys, order: 0) }

    /// A zeroed page; v1b kernels check it against scratch.
    private func wholePage(_ purpose: String) throws -> UInt64 {
        guard let page = machine.allocateZeroed(order: 0) else {
            throw MachineError.kernel(.ENOMEM, "no page for \(purpose)")
        }
        if machine.config.abi == .v1b {
            do {
                try machine.checkScratchOverlap(page, size: UInt64(machine.geometry.pageSize))
            } catch {
                machine.allocator.free(page, order: 0)
                throw error
            }
        }
        return page
    }
}

extension KHOMachine {
    /// The kho-v1 finalize at a kexec: 6.16 – 6.18 write the root FDT page
    /// whole (root properties, the FDT folio preserved, the consumers'
    /// subtrees in call order, then the map), 6.19 – 7.0 patch the map of
    /// the FDT made at init; both serialize the bitmaps into chunk pages
    /// (``BitmapTracker/serialize(in:)``). Returns the tracker's pages
    /// (chunks, then the pages holding bitmaps) as handed over.
    func finalizeBitmapTracker(into event: inout MachineEvent) throws(MachineError) -> [UInt64] {
        guard bitmaps != nil else { return [] }
        if config.writesRootFDTAtFinalize {
            folios[fdtPhys] = 0
            try trackerAdd([PreservedBlock(phys: fdtPhys, order: 0)], into: &event)
        }
        var memory = BitmapMemory(machine: self)
        let serialized: BitmapTracker.Serialization
        do {
            serialized = try self.bitmaps!.serialize(in: &memory)
        } catch {
            throw (error as? MachineError) ?? .abi("\(error)")
        }
        trackerRoot = serialized.firstChunk
        do throws(FDTError) {
            if config.writesRootFDTAtFinalize {
                rootFDT = try KHORootFDTPage(finalizing: config.abi, preservedMemoryMap: trackerRoot,
                                             subtrees: finalizeSubtrees, pageSize: geometry.pageSize)
            } else {
                try rootFDT.setPreservedMemoryMap(trackerRoot)
            }
        } catch {
            throw .abi("root FDT at finalize: \(error)")
        }
        try syncFDTPage()
        let mask = ~UInt64(geometry.pageSize - 1)
        var pages = serialized.chunks
        var seen = Set(pages)
        for page in (self.bitmaps?.bitmaps ?? []).map({ $0 & mask }) where seen.insert(page).inserted { pages.append(page) }
        return pages
    }
}
