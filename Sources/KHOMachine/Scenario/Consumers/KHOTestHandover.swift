import KHOABI

/// The kernel's KHO test module (`lib/test_kho.c`, KHO-ABI.md §7.1, §11.4)
/// built only from the machine's public calls, in the module's order. One
/// subtree's handover (`kho_test` for 6.18 – 7.1, each of `kho_test0` …
/// `kho_test3` for the 7.2-era module, ``KHOTestChain``) goes:
///
/// 1. ``generate(maxMem:on:random:)``, `kho_test_generate_data`: folios of
///    random order (uniform in 0 … MAX_PAGE_ORDER; when that overshoots what
///    is left of `max_mem`, `get_order(left) − 1`) filled with random bytes,
///    checksummed;
/// 2. ``preserve(_:data:on:)``, `kho_test_preserve`: the FDT's folio (order
///    get_order(nr_folios × 8 + PAGE_SIZE)), `kho_preserve_folio`d first;
///    the vmalloc'd `phys | order` array, `kho_preserve_vmalloc`d before it
///    is filled (the module keeps the descriptor in its own state and copies
///    it into the FDT; here it is preserved straight into its place in the
///    FDT's folio, which hands over the same bytes); each entry stored, each
///    folio `kho_preserve_folio`d; the FDT written (`magic` of the subtree,
///    `nr_folios`, `folios_info` = the descriptor's bytes, `csum`) and
///    `kho_add_subtree` with its `totalsize`.
///
/// Restore (``restore(_:on:)``): retrieve the subtree, check compatible and
/// the subtree's magic, restore the array, restore each folio (stopping at
/// the first failure or order mismatch), checksum the data: any mismatch is
/// -EINVAL, as the module's "KHO restore failed".
enum KHOTestHandover {
    /// The data folios of one subtree, before they are preserved.
    struct Data {
        var folios: [KHOTestFolio] = []
        var csum: UInt32 = 0
        /// The `max_mem` they fill.
        var maxMem: UInt64
    }

    /// `kho_test_generate_data`: allocates and fills folios until `maxMem`
    /// (nil: the module's default, 2 × the largest folio).
    static func generate(_ subtree: KHOTestSubtree, maxMem: UInt64?, on m: KHOMachine,
                         random: inout SplitMix64) throws -> Data {
        let g = m.geometry
        var data = Data(maxMem: maxMem ?? 2 * g.bytes(order: m.maxPageOrder))
        var pagesLeft = data.maxMem / UInt64(g.pageSize)
        while pagesLeft > 0 {
            var order = Int(random.next() % UInt64(m.maxPageOrder + 1))
            if UInt64(1) << UInt64(order) > pagesLeft {
                order = max(0, g.order(forSize: pagesLeft * UInt64(g.pageSize)) - 1)
            }
            let phys = try m.allocPages(order: order, name: subtree.folioName)
            let bytes = random.bytes(Int(g.bytes(order: order)))
            try m.write(phys: phys, bytes: bytes, name: subtree.folioName)
            data.csum = InternetChecksum.partial(bytes, seed: data.csum)
            data.folios.append(KHOTestFolio(phys: phys, order: order))
            pagesLeft -= UInt64(1) << UInt64(order)
        }
        return data
    }

    /// `kho_test_preserve` of `data` as `subtree`.
    static func preserve(_ subtree: KHOTestSubtree, data: Data, on m: KHOMachine) throws -> [ScenarioFact] {
        let g = m.geometry
        let folios = data.folios
        let what = "\(subtree) FDT"
        let fdtOrder = g.order(forSize: UInt64(folios.count * 8 + g.pageSize))
        let fdt = try m.allocPages(order: fdtOrder, name: subtree.name)
        try m.preserveFolio(fdt, order: fdtOrder, name: subtree.name)

        // The descriptor's place in the FDT does not depend on its bytes.
        func tree(_ descriptor: [UInt8]) throws(StepFault) -> [UInt8] {
            try ConsumerCoding.encode(what) {
                try KHOTestFDT(nrFolios: UInt32(folios.count), csum: data.csum, foliosInfo: .vmallocDescriptor(descriptor),
                               magic: subtree.magic).encode()
            }
        }
        let layout = try tree([UInt8](repeating: 0, count: KHOTestFoliosInfo.descriptorSize))
        let offset = try ConsumerCoding.decode(what) { try KHOTestFDT.foliosInfoOffset(in: FlattenedDeviceTree(bytes: layout)) }
        let descriptorPhys = fdt + UInt64(offset)
        let array = subtree.foliosInfoAreaName
        try m.vmalloc(name: array, size: UInt64(max(1, folios.count) * 8))
        try m.preserveVmalloc(area: array, descriptorPhys: descriptorPhys)
        var entries: [UInt8] = []
        for folio in folios {
            entries.appendLittleEndian(folio.entry)
            try m.preserveFolio(folio.phys, order: folio.order, name: subtree.folioName)
        }
        try m.write(area: array, offset: 0, bytes: entries)

        let bytes = try tree(m.memory.read(descriptorPhys, count: KHOTestFoliosInfo.descriptorSize))
        try m.write(phys: fdt, bytes: bytes, name: subtree.name)
        try m.addSubtree(name: subtree.name, phys: fdt, size: UInt64(bytes.count))
        return [.count("folios", folios.count), .bytes("data", data.maxMem), .text("csum", hex(data.csum)),
                .address("fdt", fdt), .address("descriptor", descriptorPhys)]
    }

    /// `kho_test_restore` of `subtree`.
    static func restore(_ subtree: KHOTestSubtree, on m: KHOMachine) throws -> [ScenarioFact] {
        let what = "\(subtree) FDT"
        let array = subtree.foliosInfoAreaName
        let fdtPhys = try m.retrieveSubtree(name: subtree.name).phys
        let tree = try m.readFDT(at: fdtPhys, what)
        let fdt = try ConsumerCoding.decode(what) { try KHOTestFDT(tree: tree, format: .vmallocDescriptor, subtree: subtree) }
        let offset = try ConsumerCoding.decode(what) { try KHOTestFDT.foliosInfoOffset(in: tree) }
        let area = try m.restoreVmalloc(descriptorPhys: fdtPhys + UInt64(offset), name: array)
        guard Int(fdt.nrFolios) * 8 <= area.size(m.geometry) else {
            throw MachineError.kernel(.EINVAL, "KHO restore failed: nr_folios \(fdt.nrFolios) exceeds the folio array")
        }
        let entries = try m.read(area: array, count: Int(fdt.nrFolios) * 8)
        var csum: UInt32 = 0
        for index in 0..<Int(fdt.nrFolios) {
            let folio = KHOTestFolio(entry: entries.loadLittleEndian(UInt64.self, at: 8 * index), geometry: m.geometry)
            let order: Int
            do {
                order = try m.restoreFolio(folio.phys, name: subtree.folioName)
            } catch {
                guard case .restoreFailed(let reason) = error else { throw error }
                throw MachineError.kernel(.EINVAL, "KHO restore failed: folio \(index) at \(hex(folio.phys)): \(reason)")
            }
            guard order == folio.order else {
                throw MachineError.kernel(.EINVAL, "KHO restore failed: folio \(index) at \(hex(folio.phys)) has order \(order), the array says \(folio.order)")
            }
            csum = InternetChecksum.partial(try m.memory.read(folio.phys, count: Int(m.geometry.bytes(order: order))), seed: csum)
        }
        try m.vfree(name: array)
        guard csum == fdt.csum else {
            throw MachineError.kernel(.EINVAL, "KHO restore failed: checksum \(hex(csum)), the FDT says \(hex(fdt.csum))")
        }
        return [.count("folios", Int(fdt.nrFolios)), .text("csum", hex(csum)), .text("result", KHOTestChain.restoreSucceeded)]
    }
}
