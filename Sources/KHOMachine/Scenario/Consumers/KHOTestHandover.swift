import KHOABI

/// The kernel's KHO test module (`lib/test_kho.c`, the 6.18 – 7.1 layout,
/// KHO-ABI.md §7.1, §11.4) built only from the machine's public calls, in
/// the module's order (`kho_test_preserve`):
///
/// 1. `kho_test_generate_data`: folios of random order (uniform in 0 …
///    MAX_PAGE_ORDER; when that overshoots what is left of `max_mem`,
///    `get_order(left) − 1`) filled with random bytes, checksummed;
/// 2. the FDT's folio (order get_order(nr_folios × 8 + PAGE_SIZE)),
///    `kho_preserve_folio`d first;
/// 3. the vmalloc'd `phys | order` array, `kho_preserve_vmalloc`d before it
///    is filled (the module keeps the descriptor in its own state and copies
///    it into the FDT; here it is preserved straight into its place in the
///    FDT's folio, which hands over the same bytes);
/// 4. each entry stored, each folio `kho_preserve_folio`d;
/// 5. the FDT written (`nr_folios`, `folios_info` = the descriptor's bytes,
///    `csum`) and `kho_add_subtree("kho_test")` with its `totalsize`.
///
/// Restore: retrieve `kho_test`, check compatible and magic, restore the
/// array, restore each folio (stopping at the first failure or order
/// mismatch), checksum the data: any mismatch is -EINVAL, as the module's
/// "KHO restore failed".
enum KHOTestHandover {
    /// Name of the vmalloc area holding the folio array.
    private static let arrayName = KHOTestFDT.foliosInfoAreaName

    static func preserve(maxMem: UInt64?, on m: KHOMachine, random: inout SplitMix64) throws -> [ScenarioFact] {
        let g = m.geometry
        let maxMem = maxMem ?? 2 * g.bytes(order: m.maxPageOrder)
        var pagesLeft = maxMem / UInt64(g.pageSize)
        var folios: [KHOTestFolio] = []
        var csum: UInt32 = 0
        while pagesLeft > 0 {
            var order = Int(random.next() % UInt64(m.maxPageOrder + 1))
            if UInt64(1) << UInt64(order) > pagesLeft {
                order = max(0, g.order(forSize: pagesLeft * UInt64(g.pageSize)) - 1)
            }
            let phys = try m.allocPages(order: order, name: "kho_test/folio")
            let bytes = random.bytes(Int(g.bytes(order: order)))
            try m.write(phys: phys, bytes: bytes, name: "kho_test/folio")
            csum = InternetChecksum.partial(bytes, seed: csum)
            folios.append(KHOTestFolio(phys: phys, order: order))
            pagesLeft -= UInt64(1) << UInt64(order)
        }

        let fdtOrder = g.order(forSize: UInt64(folios.count * 8 + g.pageSize))
        let fdt = try m.allocPages(order: fdtOrder, name: KHOTestFDT.subtreeName)
        try m.preserveFolio(fdt, order: fdtOrder, name: KHOTestFDT.subtreeName)

        // The descriptor's place in the FDT does not depend on its bytes.
        func tree(_ descriptor: [UInt8]) throws(StepFault) -> [UInt8] {
            try ConsumerCoding.encode("kho_test FDT") {
                try KHOTestFDT(nrFolios: UInt32(folios.count), csum: csum, foliosInfo: .vmallocDescriptor(descriptor)).encode()
            }
        }
        let layout = try tree([UInt8](repeating: 0, count: KHOTestFoliosInfo.descriptorSize))
        let offset = try ConsumerCoding.decode("kho_test FDT") { try KHOTestFDT.foliosInfoOffset(in: FlattenedDeviceTree(bytes: layout)) }
        let descriptorPhys = fdt + UInt64(offset)
        try m.vmalloc(name: arrayName, size: UInt64(max(1, folios.count) * 8))
        try m.preserveVmalloc(area: arrayName, descriptorPhys: descriptorPhys)
        var entries: [UInt8] = []
        for folio in folios {
            entries.appendLittleEndian(folio.entry)
            try m.preserveFolio(folio.phys, order: folio.order, name: "kho_test/folio")
        }
        try m.write(area: arrayName, offset: 0, bytes: entries)

        let bytes = try tree(m.memory.read(descriptorPhys, count: KHOTestFoliosInfo.descriptorSize))
        try m.write(phys: fdt, bytes: bytes, name: KHOTestFDT.subtreeName)
        try m.addSubtree(name: KHOTestFDT.subtreeName, phys: fdt, size: UInt64(bytes.count))
        return [.count("folios", folios.count), .bytes("data", maxMem), .text("csum", hex(csum)),
                .address("fdt", fdt), .address("descriptor", descriptorPhys)]
    }

    static func restore(on m: KHOMachine) throws -> [ScenarioFact] {
        let fdtPhys = try m.retrieveSubtree(name: KHOTestFDT.subtreeName).phys
        let tree = try m.readFDT(at: fdtPhys, "kho_test FDT")
        let fdt = try ConsumerCoding.decode("kho_test FDT") { try KHOTestFDT(tree: tree, format: .vmallocDescriptor) }
        let offset = try ConsumerCoding.decode("kho_test FDT") { try KHOTestFDT.foliosInfoOffset(in: tree) }
        let area = try m.restoreVmalloc(descriptorPhys: fdtPhys + UInt64(offset), name: arrayName)
        guard Int(fdt.nrFolios) * 8 <= area.size(m.geometry) else {
            throw MachineError.kernel(.EINVAL, "KHO restore failed: nr_folios \(fdt.nrFolios) exceeds the folio array")
        }
        let entries = try m.read(area: arrayName, count: Int(fdt.nrFolios) * 8)
        var csum: UInt32 = 0
        for index in 0..<Int(fdt.nrFolios) {
            let folio = KHOTestFolio(entry: entries.loadLittleEndian(UInt64.self, at: 8 * index), geometry: m.geometry)
            let order: Int
            do {
                order = try m.restoreFolio(folio.phys, name: "kho_test/folio")
            } catch {
                guard case .restoreFailed(let reason) = error else { throw error }
                throw MachineError.kernel(.EINVAL, "KHO restore failed: folio \(index) at \(hex(folio.phys)): \(reason)")
            }
            guard order == folio.order else {
                throw MachineError.kernel(.EINVAL, "KHO restore failed: folio \(index) at \(hex(folio.phys)) has order \(order), the array says \(folio.order)")
            }
            csum = InternetChecksum.partial(try m.memory.read(folio.phys, count: Int(m.geometry.bytes(order: order))), seed: csum)
        }
        try m.vfree(name: arrayName)
        guard csum == fdt.csum else {
            throw MachineError.kernel(.EINVAL, "KHO restore failed: checksum \(hex(csum)), the FDT says \(hex(fdt.csum))")
        }
        return [.count("folios", Int(fdt.nrFolios)), .text("csum", hex(csum)), .text("result", "KHO restore succeeded")]
    }
}
