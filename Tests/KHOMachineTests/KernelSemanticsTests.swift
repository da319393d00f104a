import KHOABI
import Testing
@testable import KHOMachine

/// One test per errno path of KHO-ABI.md §3–§5, on the emulated kernel.
@Suite("KHO API semantics")
struct KernelSemanticsTests {
    @Test func preserveFolioAddsOneEntry() throws {
        let r = try Recorder()
        let m = r.machine
        let folio = try m.allocPages(order: 3)
        try m.preserveFolio(folio, order: 3)
        #expect(r.last?.trackerAdded == [PreservedBlock(phys: folio, order: 3)])
        #expect(try m.preservedBlocks().contains(PreservedBlock(phys: folio, order: 3)))
        try m.unpreserveFolio(folio, order: 3)
        #expect(try !m.preservedBlocks().contains(PreservedBlock(phys: folio, order: 3)))
    }

    @Test func preservingScratchIsEINVALOnlyWithTheDebugCheck() throws {
        let m = try Recorder().machine
        let scratch = try #require(m.scratch.first)
        expectErrno(.EINVAL) { try m.preserveFolio(scratch.address, order: 0) }
        expectErrno(.EINVAL) { try m.preservePages(scratch.address - 4096, count: 2) }
        #expect(try m.preservedBlocks().allSatisfy { !scratch.contains($0.phys) })

        let lax = try Recorder { $0.scratchOverlapCheck = false }.machine
        try lax.preserveFolio(try #require(lax.scratch.first).address, order: 0)
    }

    @Test func preservePagesSplitsLikeTheKernel() throws {
        let r = try Recorder()
        let base = r.machine.config.memoryBase
        try r.machine.preservePages(base + 0x101000, count: 7)
        #expect(r.last?.trackerAdded.map(\.description) == ["0x100101000 0", "0x100102000 1", "0x100104000 2"])
        try r.machine.unpreservePages(base + 0x101000, count: 7)
        #expect(r.last?.trackerRemoved.count == 3)
    }

    @Test func numaCutAppliesToPreserveButNotToRestore() throws {
        let r = try Recorder { $0.numaNodeSize = 2 << 20 }
        let base = try r.machine.allocPages(order: 10)
        try r.machine.preservePages(base, count: 1024)   // 4 MiB over two 2 MiB nodes
        #expect(r.last?.trackerAdded.map(\.order) == [9, 9])
        try r.machine.kexec()
        // Restore re-splits without the NUMA cut: one order-10 step whose head has magic (order 9 stored).
        try r.machine.restorePages(base, count: 1024)
        #expect(r.last?.restored == [PreservedBlock(phys: base, order: 9)])
    }

    @Test func trackerNodeAllocationFailureIsENOMEMAndRollsBack() throws {
        let r = try Recorder(memory: 8 << 20)
        let m = r.machine
        let pages = try m.allocPages(order: 2)
        m.exhaustMemory()
        let before = try m.preservedBlocks()
        // A far-away range needs new tracker nodes; none can be allocated.
        expectErrno(.ENOMEM) { try m.preservePages(pages, count: 4) }
        #expect(try m.preservedBlocks() == before)
    }

    @Test func allocPreserveErrors() throws {
        let m = try Recorder().machine
        expectErrno(.EINVAL) { try m.allocPreserve(size: 0) }
        expectErrno(.E2BIG) { try m.allocPreserve(size: UInt64(4096) << 11) }
        let phys = try m.allocPreserve(size: 5000)
        #expect(try m.preservedBlocks().contains(PreservedBlock(phys: phys, order: 1)))
        try m.unpreserveFree(phys)
        #expect(try !m.preservedBlocks().contains(PreservedBlock(phys: phys, order: 1)))
        try m.unpreserveFree(0)
        m.exhaustMemory()
        expectErrno(.ENOMEM) { try m.allocPreserve(size: 4096) }
    }

    @Test func preserveVmallocErrors() throws {
        let m = try Recorder().machine
        let blob = try m.descriptorBlob("d")
        expectErrno(.EINVAL) { try m.preserveVmalloc(area: "missing", descriptorPhys: blob) }
        try m.vmalloc(name: "mapped", size: 8192, vmap: true)
        expectErrno(.EOPNOTSUPP) { try m.preserveVmalloc(area: "mapped", descriptorPhys: blob) }
        try m.vmalloc(name: "big", size: 4096 * 600)
        m.exhaustMemory()
        // Chunk 0 cannot be allocated.
        expectErrno(.ENOMEM) { try m.preserveVmalloc(area: "big", descriptorPhys: blob) }
    }

    @Test func preserveVmallocFailureUnpreservesEverything() throws {
        let r = try Recorder(memory: 16 << 20)
        let m = r.machine
        let blob = try m.descriptorBlob("d")
        try m.vmalloc(name: "a", size: 4096 * 2000)     // 2000 blocks: 4 chunks at 4 KiB
        let spare = [try m.allocPages(order: 0), try m.allocPages(order: 0)]
        let before = try m.preservedBlocks()
        m.exhaustMemory()
        for page in spare { try m.freePages(page) }      // room for chunks 0 and 1 only
        expectErrno(.ENOMEM) { try m.preserveVmalloc(area: "a", descriptorPhys: blob) }
        #expect(try m.preservedBlocks() == before, "rollback leaves the tracker as it was")
        let event = try #require(r.last)
        #expect(event.outcome == .errno(.ENOMEM))
        #expect(event.trackerAdded.count == 2 + 2 * 511)
        #expect(Set(event.trackerAdded) == Set(event.trackerRemoved))
        #expect(m.allocator.freeFrames == 2, "both chunk pages were freed again")
    }

    @Test func subtreeErrors() throws {
        let m = try Recorder().machine
        expectErrno(.ENOENT) { _ = try m.retrieveSubtree(name: "x") }
        let blob = try m.allocPreserve(size: 64)
        try m.addSubtree(name: "x", phys: blob, size: 64)
        expectErrno(.EEXIST) { try m.addSubtree(name: "x", phys: blob, size: 64) }
        var n = 0
        do {
            while n < 1000 { try m.addSubtree(name: "subtree-with-a-long-name-\(n)", phys: blob, size: 64); n += 1 }
        } catch {
            #expect(error.errno == .ENOMEM)
        }
        #expect(n > 10 && n < 1000, "the one-page root FDT fills up after \(n) subtrees")
        try m.removeSubtree(phys: blob)
        try m.kexec()
        expectErrno(.ENOENT) { _ = try m.retrieveSubtree(name: "nope") }
        #expect(try m.retrieveSubtree(name: "subtree-with-a-long-name-0").phys == blob)
    }

    /// A subnode whose blob-size is missing passes early boot (only the
    /// header, compatible and map are checked) but its retrieve is -EINVAL.
    @Test func retrievingAMalformedSubnodeIsEINVAL() throws {
        let m = try Recorder().machine
        let blob = try m.allocPreserve(size: 64)
        try m.addSubtree(name: "good", phys: blob, size: 64)
        var editor = try FDTEditor(opening: m.rootFDT.tree, capacity: m.geometry.pageSize)
        let node = try editor.addSubnode(named: "bad", to: .root)
        try editor.setProperty("preserved-data", to: Array(repeating: 0, count: 8), of: node)
        try editor.pack()
        var page = try editor.tree().bytes
        page += [UInt8](repeating: 0, count: m.geometry.pageSize - page.count)
        try m.write(phys: m.fdtPhys, bytes: page)
        try m.kexec()
        #expect(try m.retrieveSubtree(name: "good").phys == blob)
        expectErrno(.EINVAL) { _ = try m.retrieveSubtree(name: "bad") }
    }

    @Test func restoreChecksMagicAndConsumesIt() throws {
        let r = try Recorder()
        let m = r.machine
        let folio = try m.allocPages(order: 2)
        try m.write(phys: folio, bytes: Array("hello".utf8))
        try m.preserveFolio(folio, order: 2)
        let loose = try m.allocPages(order: 0)
        try m.kexec()
        expectErrno(.ENOENT) { _ = try m.retrieveSubtree(name: "none") }
        #expect(throws: MachineError.self) { try m.restoreFolio(folio + 4096) }   // tail page: no magic
        #expect(throws: MachineError.self) { try m.restoreFolio(loose) }         // never preserved
        #expect(try m.restoreFolio(folio) == 2)
        #expect(try m.memory.read(folio, count: 5) == Array("hello".utf8))
        do {
            try m.restoreFolio(folio)
            Issue.record("double restore succeeded")
        } catch {
            guard case .restoreFailed = error else { Issue.record("\(error)"); return }
            #expect(r.last?.outcome != .ok)
        }
    }

    @Test func unpreservingAnAbsentEntryOnlyWarns() throws {
        let r = try Recorder()
        let folio = try r.machine.allocPages(order: 0)
        try r.machine.unpreserveFolio(folio, order: 0)
        #expect(r.last?.outcome == .ok)
        #expect(r.last?.arguments.contains { $0.name == "warning" } == true)
    }

    @Test func restoreFreeWarnsOnFailure() throws {
        let r = try Recorder()
        let phys = try r.machine.allocPreserve(size: 4096)
        try r.machine.kexec()
        try r.machine.restoreFree(phys)
        #expect(r.last?.restored == [PreservedBlock(phys: phys, order: 0)])
        try r.machine.restoreFree(phys)
        #expect(r.last?.outcome == .ok)
        #expect(r.last?.arguments.contains { $0.name == "warning" } == true)
    }
}

@Suite("errno values")
struct KernelErrnoTests {
    @Test func namesAndNumbers() {
        #expect(KernelErrno.EINVAL.description == "-EINVAL (-22)")
        #expect(KernelErrno.EOPNOTSUPP.rawValue == 95)
        #expect(KernelErrno(name: "-enomem") == .ENOMEM)
        #expect(KernelErrno(name: "EWHAT") == nil)
        #expect(Set(KernelErrno.allCases.map(\.name)).count == KernelErrno.allCases.count)
    }
}
