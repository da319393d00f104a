import KHOABI

extension KHOMachine {
    /// `kexec` into the next generation.
    ///
    /// The reboot that leads here runs ``liveUpdateReboot()`` first, as the
    /// scenario runner does. The outgoing kernel hands over its root FDT
    /// page, its tracker and its scratch areas (the next kernel's boot
    /// memory); the
    /// event carries the tracker's node pages with their bytes at this
    /// moment, so a recording holds the handover byte for byte. Memory
    /// that is neither a preserved block nor a tracker node is scrubbed.
    /// The next kernel then boots: it reads the FDT, walks the tracker
    /// (allocating only from scratch meanwhile), reserves every preserved
    /// block and writes the KHO magic into its head page; the tracker pages
    /// become free memory; it creates its own empty tracker and root FDT.
    /// vmalloc areas and folio bookkeeping of the old generation are gone:
    /// consumers must restore what they need.
    ///
    /// A kho-v1 kernel (6.16 – 7.0) finalizes first: it serializes its
    /// bitmaps into chunk pages and completes the root FDT
    /// (``finalizeBitmapTracker(into:)``); the event then carries the chunk
    /// and bitmap pages and the FDT page.
    public func kexec() throws(MachineError) {
        let fdtAddress = fdtPhys
        try handOver(fdtAddress)
        generation += 1
        areas = [:]
        folios = PageOrderTable(geometry: geometry)
        folioSets = [:]
        allocator = FrameAllocator(geometry: geometry, range: memory.range, scratch: scratch,
                                   seed: config.seed &+ UInt64(generation) &* 0x9E37_79B9_7F4A_7C15)
        try boot(incoming: fdtAddress)
    }

    /// The outgoing half of ``kexec()``: the event, then the scrub of what
    /// is neither preserved nor a tracker node (the walk's list is dropped
    /// before the next kernel walks the tracker again).
    private func handOver(_ fdtAddress: UInt64) throws(MachineError) {
        var survivors = PreservedBlockSet(geometry: geometry)
        var largest = 0
        var nodes: [UInt64] = []
        try perform(.kexec, arguments: [("fdt", .address(fdtAddress))]) { event throws(MachineError) in
            var pages: [UInt64] = []
            if bitmaps != nil {
                nodes = try finalizeBitmapTracker(into: &event)
                pages = nodes + [fdtAddress]
            } else {
                do {
                    nodes = try RadixTrackerWalker(geometry: geometry, rootPhys: trackerRoot, depthFormula: config.depthFormula)
                        .nodePages(read: memory.reader)
                } catch {
                    throw .abi("tracker walk failed: \(error)")
                }
                pages = nodes
            }
            var count = 0
            try forEachPreservedBlock { block in
                count += 1
                largest = max(largest, block.order)
                if memory.range.contains(block.phys) { survivors.insert(block) }
            }
            event.arguments += [("tracker", .address(trackerRoot)), ("preserved_blocks", .count(count)), ("tracker_pages", .count(nodes.count))]
            event.fdt = rootFDT.tree.bytes
            event.pages = pages.map { .init(phys: $0, bytes: memory.page($0)) }
            event.bootMemory = BootMemory(name: config.bootMemoryName, ranges: scratch)
        }

        let shift = UInt64(geometry.pageShift)
        for node in nodes where memory.range.contains(node) { survivors.insert(PreservedBlock(phys: node, order: 0)) }
        memory.scrub { survivors.covers($0 << shift, maxOrder: largest) }
    }

    /// Boots this generation: takes over the incoming handover (if any), then
    /// creates the outgoing tracker root and root FDT page (an order-0 page
    /// preserved with `kho_alloc_preserve`); a 7.1+ kernel then adds its
    /// `kexec-metadata` subtree, and with `liveupdate` LUO its `LUO` subtree
    /// (separate calls, each its own event).
    func boot(incoming fdtAddress: UInt64?) throws(MachineError) {
        try perform(.boot, arguments: [("generation", .count(generation))]) { event throws(MachineError) in
            incoming = nil
            if let fdtAddress {
                incoming = try takeOver(fdtPhys: fdtAddress, into: &event)
            }
            if config.writesKexecMetadata, let chain = incomingKexecMetadata {
                event.arguments += [("previous_release", .text(chain.previousRelease)), ("kexec_count", .count(chain.kexecCount))]
            }
            trackerRoot = 0
            bitmaps = config.abi.bitmapVariant.map { BitmapTracker(geometry: geometry, variant: $0) }
            bitmapSlab = nil
            finalizeSubtrees = []
            if bitmaps == nil {
                guard let root = allocateZeroed(order: 0) else { throw .kernel(.ENOMEM, "no page for the tracker root") }
                trackerRoot = root
                event.arguments.append(("tracker", .address(root)))
            }
            rootFDT = try Self.emptyRoot(config.abi, geometry: geometry, map: trackerRoot)
            guard let page = allocateZeroed(order: 0) else { throw .kernel(.ENOMEM, "no page for the root FDT") }
            fdtPhys = page
            event.arguments.append(("fdt", .address(page)))
            guard !config.writesRootFDTAtFinalize else { return }
            folios[page] = 0
            try trackerAdd([PreservedBlock(phys: page, order: 0)], into: &event)
            try syncFDTPage()
            event.pages = [.init(phys: page, bytes: memory.page(page))]
        }
        liveUpdateNumber = incomingLiveUpdateNumber().map { $0 &+ 1 } ?? 1
        liveUpdate = nil
        if config.writesKexecMetadata { try addKexecMetadata() }
        if config.liveUpdate { try setUpLiveUpdate() }
    }

    /// Early boot of a KHO kernel: FDT check, tracker walk, reservations, magic.
    private func takeOver(fdtPhys: UInt64, into event: inout MachineEvent) throws(MachineError) -> IncomingHandover? {
        let page = try memory.read(fdtPhys, count: geometry.pageSize)
        let tree: FlattenedDeviceTree
        let compatible: [UInt8]
        do {
            tree = try FlattenedDeviceTree(bytes: page)
            compatible = try tree.property(named: "compatible", of: .root) ?? []
        } catch {
            event.arguments.append(("warning", .text("incoming FDT rejected, cold boot: \(error)")))
            return nil
        }
        // `fdt_node_check_compatible`: any entry of the list may match.
        guard config.abi.isListed(inCompatible: compatible) else {
            let found = ABIGeneration.compatibleEntries(compatible).joined(separator: ", ")
            event.arguments.append(("warning", .text("incoming FDT is not compatible with \(config.abi.compatible) (it lists \(found)), cold boot")))
            return nil
        }
        let generation = config.abi
        let mapBytes = try? tree.property(named: KHORootFDT.preservedMemoryMapProperty, of: .root)
        guard let mapBytes, mapBytes.count == 8, case let map = mapBytes.loadLittleEndian(UInt64.self, at: 0), map != 0 else {
            event.arguments.append(("warning", .text("incoming FDT has no usable preserved-memory-map, cold boot")))
            return nil
        }
        var blocks = BlockList()
        do {
            if let variant = generation.bitmapVariant {
                blocks = BlockList(try BitmapTrackerWalker(geometry: geometry, variant: variant, firstChunkPhys: map).blocks(read: memory.reader))
            } else {
                try RadixTrackerWalker(geometry: geometry, rootPhys: map, depthFormula: config.depthFormula)
                    .forEachBlock(read: memory.reader) { blocks.append($0) }
            }
        } catch {
            event.arguments.append(("warning", .text("incoming tracker unreadable, cold boot: \(error)")))
            return nil
        }
        let inside = { [memory, geometry] (block: PreservedBlock) in
            memory.range.contains(block.phys) && memory.range.contains(block.phys + geometry.bytes(order: block.order) - 1)
        }
        var outside = 0
        for block in blocks {
            guard inside(block) else {
                outside += 1
                continue
            }
            allocator.reserve(block.phys, order: block.order)
        }
        if outside > 0 { event.arguments.append(("warning", .text("\(outside) tracker entries lie outside memory"))) }
        event.arguments += [("incoming_fdt", .address(fdtPhys)), ("incoming_blocks", .count(blocks.count))]
        // Only blocks inside memory are stamped.
        var heads = PreservedHeads(blocks: blocks.lazy.filter(inside), geometry: geometry, abi: config.abi, maxPageOrder: maxPageOrder)
        if config.writesRootFDTAtFinalize {
            // 6.16 – 6.18 `kho_memory_init`: the FDT folio is restored right after the walk.
            switch heads.restoreHead(fdtPhys) {
            case .success(let order): event.restored.append(PreservedBlock(phys: fdtPhys, order: order))
            case .failure(let failure): event.arguments.append(("warning", .text("failed to restore the KHO FDT folio: \(failure)")))
            }
        }
        return IncomingHandover(fdtPhys: fdtPhys, tree: tree, generation: generation, preserved: blocks, heads: heads)
    }
}
