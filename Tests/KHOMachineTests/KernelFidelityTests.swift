import KHOABI
@testable import KHOMachine
import Testing

/// The emulator against the kernel's code where the two used to differ
/// (KHO-ABI.md §11.4): each test names the kernel function it follows.
@Suite("Kernel fidelity")
struct KernelFidelityTests {
    /// The `kexec-metadata` the machine's current root FDT hands over.
    private func outgoingMetadata(_ m: KHOMachine) throws -> (phys: UInt64, metadata: KexecMetadata) {
        let subtree = try #require(try m.rootFDT.decoded().subtrees.first { $0.name == KexecMetadata.subtreeName })
        #expect(subtree.size == UInt64(KexecMetadata.byteCount))
        return (subtree.phys, try KexecMetadata(bytes: m.memory.read(subtree.phys, count: KexecMetadata.byteCount)))
    }

    /// `kho_init` → `kho_out_kexec_metadata` (7.1+): every boot adds the raw
    /// 73-byte subtree in a page of its own, preserved as an order-0 folio;
    /// the count is the incoming one + 1 (1 after a cold boot) and the
    /// release is the running kernel's.
    @Test func everyBootFrom71AddsKexecMetadata() throws {
        let r = try Recorder { $0.kernel = .v7_1 }
        let m = r.machine
        var (phys, metadata) = try outgoingMetadata(m)
        #expect(metadata == KexecMetadata(previousRelease: "7.1.0", kexecCount: 1))
        #expect(try m.preservedBlocks().contains(PreservedBlock(phys: phys, order: 0)))
        #expect(m.incomingKexecMetadata == nil, "a cold boot received none")
        for count in UInt32(2)...4 {
            try m.kexec()
            #expect(m.incomingKexecMetadata == KexecMetadata(previousRelease: "7.1.0", kexecCount: count - 1))
            (phys, metadata) = try outgoingMetadata(m)
            #expect(metadata == KexecMetadata(previousRelease: "7.1.0", kexecCount: count))
            #expect(try m.preservedBlocks().contains(PreservedBlock(phys: phys, order: 0)))
        }
        let boot = try #require(r.events.last { $0.kind == .boot })
        #expect(boot.arguments.contains { $0 == ("previous_release", .text("7.1.0")) })
        #expect(boot.arguments.contains { $0 == ("kexec_count", .count(3)) })
    }

    /// The kho-v2 code has no kexec-metadata: an `abi: v2` machine adds none.
    @Test func khoV2HasNoKexecMetadata() throws {
        let m = try Recorder { $0.abi = .v2 }.machine
        #expect(try m.rootFDT.decoded().subtrees.isEmpty)
        #expect(try m.preservedBlocks().count == 1, "the root FDT page only")
    }

    /// `kho_restore_vmalloc` of `total_pages` 0 returns NULL:
    /// `__get_vm_area_node` cannot reserve a range of size 0.
    @Test func restoreOfZeroTotalPagesIsNull() throws {
        let r = try Recorder()
        let descriptor = try r.machine.descriptorBlob("empty")
        try r.machine.kexec()
        #expect(throws: MachineError.restoreFailed(RestoreError.emptyArea.description)) {
            try r.machine.restoreVmalloc(descriptorPhys: descriptor, name: "empty")
        }
        #expect(r.last?.outcome == .null(RestoreError.emptyArea.description))
        #expect(r.machine.areas["empty"] == nil)
    }

    /// `kho_restore_vmalloc` maps a huge area without recording a page
    /// order, so `kho_preserve_vmalloc` of the restored area lists every page
    /// as an order-0 block: 512 entries in two chunks for 2 MiB at 4 KiB.
    @Test func restoredHugeAreaIsPreservedAgainAtOrderZero() throws {
        let r = try Recorder()
        let m = r.machine
        try m.vmalloc(name: "huge", size: 2 << 20, huge: true)
        let first = try m.descriptorBlob("d1")
        try m.preserveVmalloc(area: "huge", descriptorPhys: first)
        #expect(try m.readDescriptor(first).order == 9)
        try m.kexec()
        try m.restoreVmalloc(descriptorPhys: first, name: "huge")
        let again = try m.descriptorBlob("d2")
        try m.preserveVmalloc(area: "huge", descriptorPhys: again)
        let descriptor = try m.readDescriptor(again)
        #expect(descriptor.order == 0 && descriptor.totalPages == 512)
        #expect(r.last?.chunks.count == 2, "511 entries, then one")
        #expect(r.last?.trackerAdded.filter { $0.order == 0 }.count == 512 + 2)
    }

    /// `kho_preserve_vmalloc` writes `total_pages`, `flags` and `order` on
    /// success and never reads the descriptor's old contents: a stale
    /// (absurd) order must not make it fail.
    @Test func preserveIgnoresAStaleDescriptor() throws {
        let m = try Recorder().machine
        try m.vmalloc(name: "a", size: 3 * 4096)
        let descriptor = try m.descriptorBlob("d")
        try m.write(phys: descriptor, bytes: [UInt8](repeating: 0xff, count: VmallocDescriptor.size))
        try m.preserveVmalloc(area: "a", descriptorPhys: descriptor)
        let written = try m.readDescriptor(descriptor)
        #expect(written.totalPages == 3 && written.order == 0 && written.flags == .alloc)
    }

    /// `kho_restore_page`: the kho-v3 code (7.1) and later check the magic
    /// only; kho-v1 and kho-v2 also refuse a stored order above
    /// MAX_PAGE_ORDER. An order-9 huge area on a machine whose
    /// MAX_PAGE_ORDER is 8 shows both.
    @Test(arguments: [(ABIGeneration.v2, false), (.v3, true), (.v4, true)])
    func restoreChecksMaxPageOrderOnlyBefore71(abi: ABIGeneration, restores: Bool) throws {
        let m = try Recorder { $0.abi = abi; $0.maxPageOrder = 8 }.machine
        try m.vmalloc(name: "huge", size: 2 << 20, huge: true)
        let descriptor = try m.descriptorBlob("d")
        try m.preserveVmalloc(area: "huge", descriptorPhys: descriptor)
        try m.kexec()
        if restores {
            let area = try m.restoreVmalloc(descriptorPhys: descriptor, name: "huge")
            #expect(area.pages.count == 512)
        } else {
            #expect(throws: MachineError.self) { try m.restoreVmalloc(descriptorPhys: descriptor, name: "huge") }
        }
    }

    /// `kho_populate` → `fdt_node_check_compatible`: the handover is taken
    /// when any entry of the root `compatible` list is the kernel's string.
    @Test func anyCompatibleEntryIsAccepted() throws {
        let m = try Recorder().machine
        let root = try FDTSequentialWriter.build { writer throws(FDTError) in
            try writer.beginNode("")
            try writer.property("compatible", Array("kho-v3\0\(m.config.abi.compatible)\0".utf8))
            try writer.property(KHORootFDT.preservedMemoryMapProperty, withUnsafeBytes(of: m.trackerRoot.littleEndian) { Array($0) })
            try writer.endNode()
        }
        try m.write(phys: m.fdtPhys, bytes: root.bytes)
        try m.kexec()
        #expect(m.incoming != nil, "the second entry names this kernel's ABI")
    }

    /// `fdt_create` … `fdt_finish` leave the strings block's first copy at
    /// the end of the root FDT page; the page handed over keeps it.
    @Test func rootFDTPageKeepsLibfdtResidue() throws {
        let m = try Recorder().machine
        let page = m.memory.page(m.fdtPhys)
        let residue = Array("preserved-memory-map\0compatible\0".utf8)
        #expect(Array(page.suffix(residue.count)) == residue)
        #expect(try FlattenedDeviceTree(bytes: page).bytes == m.rootFDT.tree.bytes, "the tree itself is unchanged")
    }
}

/// The consumers' kernel code (`lib/test_kho.c`, `luo_core.c`) as the
/// scenario ops emulate it.
@Suite("Kernel fidelity: consumers")
struct ConsumerFidelityTests {
    private func run(_ yaml: String) throws -> (ScenarioRunner, [MachineEvent]) {
        var events: [MachineEvent] = []
        let runner = ScenarioRunner(try Scenario(yaml: yaml)) { events.append($0) }
        _ = try runner.run()
        return (runner, events)
    }

    /// `kho_test_prepare_fdt` writes `nr_folios`, `folios_info`, `csum` in
    /// that order; `kho_test_preserve` preserves the FDT's folio first, then
    /// the folio array (before it is filled), then every folio, then adds
    /// the subtree with its `totalsize`.
    @Test func testKhoWritesAndPreservesInTheModulesOrder() throws {
        let (runner, events) = try run("""
            machine: {kernel: "7.1", memory: 64MiB, seed: 3}
            steps:
              - kho_test_preserve: {max_mem: 256KiB}
            """)
        let m = try #require(runner.machine)
        let subtree = try #require(try m.rootFDT.decoded().subtrees.first { $0.name == KHOTestSubtree.single.name })
        let tree = try m.readFDT(at: subtree.phys, "kho_test")
        let data = try #require(try tree.subnodes(of: .root).first { $0.name == "data" })
        #expect(try tree.properties(of: data).map(\.name) == ["nr_folios", "folios_info", "csum"])
        #expect(subtree.size == UInt64(tree.bytes.count))
        let calls = events.filter { [.preserveFolio, .preserveVmalloc, .addSubtree].contains($0.kind) && $0.subject != KexecMetadata.subtreeName }
            .map { "\($0.kind.rawValue) \($0.subject ?? "-")" }
        let folios = calls.filter { $0 == "preserve_folio kho_test/folio" }.count
        #expect(folios > 1)
        #expect(calls == ["preserve_folio kho_test", "preserve_vmalloc \(KHOTestSubtree.single.foliosInfoAreaName)"]
            + Array(repeating: "preserve_folio kho_test/folio", count: folios) + ["add_subtree kho_test"])
        let arrayWrite = try #require(events.firstIndex { $0.kind == .write && $0.subject == KHOTestSubtree.single.foliosInfoAreaName })
        let arrayPreserve = try #require(events.firstIndex { $0.kind == .preserveVmalloc })
        #expect(arrayPreserve < arrayWrite, "the array is preserved before it is filled")
    }

    /// `kho_test_generate_data`: when the random order overshoots what is
    /// left, the order is get_order(left) − 1 — so 2 pages left give an
    /// order-0 folio, not an order-1 one.
    @Test func testKhoEndOfBudgetOrder() throws {
        let (_, events) = try run("""
            machine: {kernel: "7.1", memory: 64MiB, seed: 3}
            steps:
              - kho_test_preserve: {max_mem: 8KiB}
            """)
        let orders = events.filter { $0.kind == .allocPages && $0.subject == "kho_test/folio" }.compactMap { event in event.arguments.first { $0.name == "order" }?.value }
        #expect(orders == [.count(0), .count(0)])
    }

    /// `luo_fdt_setup` writes `liveupdate-number` = the incoming number + 1
    /// (1 after a cold boot).
    @Test func liveupdateNumberCountsHandovers() throws {
        let (runner, _) = try run("""
            machine: {kernel: "7.1", memory: 64MiB, seed: 5, liveupdate: true}
            steps:
              - memfd_preserve: {size: 2 pages, text: "a"}
              - kexec
              - memfd_restore: {as: f}
              - memfd_preserve: {size: 2 pages, text: "b"}
              - kexec
              - memfd_restore: {as: g}
              - memfd_preserve: {size: 2 pages, text: "c"}
            """)
        let m = try #require(runner.machine)
        let outgoing = try #require(try m.rootFDT.decoded().subtrees.first { $0.name == LUOFDT.subtreeName })
        #expect(try LUOFDT(tree: m.readFDT(at: outgoing.phys, "LUO")).liveupdateNumber == 3)
        #expect(m.liveUpdateNumber == 3)
    }

    /// memfd_preserve writes LUO's luo-v1 FDT, which 7.2 and later kernels
    /// do not: a scenario on such a release is refused, naming the release.
    @Test func memfdOnALaterReleaseIsRefused() throws {
        #expect {
            _ = try run("steps:\n  - memfd_preserve: {size: 1 page}\n")
        } throws: { error in
            guard case let .stepFailed(1, _, _, reason) = error as? ScenarioError else { return false }
            return reason.contains("Linux 7.4 does not; set machine.kernel to \"6.19\" or \"7.0\" or \"7.1\"")
        }
    }
}
