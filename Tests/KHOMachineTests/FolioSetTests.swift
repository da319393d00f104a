import Testing
import KHOABI
@testable import KHOMachine

/// A file's folios allocated, preserved and unpreserved as one call each,
/// as `memfd_luo_preserve_folios` / `memfd_luo_unpreserve_folios` loop over
/// `kho_preserve_folio` / `kho_unpreserve_folio` (mm/memfd_luo.c).
@Suite("Folio sets")
struct FolioSetTests {
    @Test func oneCallAllocatesOnePreservesAndOneUnpreservesTheFile() throws {
        let r = try Recorder()
        let m = r.machine
        let set = try m.allocFolios(count: 300, order: 0, name: "f/file")
        let alloc = try #require(r.last)
        #expect(alloc.kind == .allocFolios && alloc.zeroed.map(\.phys) == set.folios)
        #expect(alloc.extents.flatMap { $0.blocks(m.geometry) }.map(\.phys) == set.folios)
        #expect(Set(set.folios).count == 300 && set.folios.allSatisfy { m.folios[$0] == 0 })

        try m.preserveFolios(name: "f/file")
        let preserve = try #require(r.last)
        #expect(preserve.kind == .preserveFolios && preserve.outcome == .ok)
        #expect(preserve.tracker == set.blocks.map { .init(block: $0, added: true) })
        #expect(Set(try m.preservedBlocks()).isSuperset(of: set.blocks))

        try m.unpreserveFolios(name: "f/file")
        #expect(r.last?.tracker == set.blocks.map { .init(block: $0, added: false) })
        #expect(Set(try m.preservedBlocks()).isDisjoint(with: set.blocks))
    }

    /// When a tracker node cannot be allocated part way, the folios already
    /// preserved are unpreserved in reverse order and the call fails with
    /// -ENOMEM, as the kernel's error path does.
    @Test func aFailurePartWayUnpreservesWhatItPreservedInReverse() throws {
        let r = try Recorder(memory: 1 << 30)
        let m = r.machine
        // Scattered over 1 GiB, the folios need several tracker leaves; the
        // first one's path exists, the others cannot be allocated.
        let set = try m.allocFolios(count: 64, order: 0, name: "f/file")
        try m.preserveFolio(set.folios[0], order: 0)
        m.exhaustMemory()
        #expect(throws: MachineError.self) { try m.preserveFolios(name: "f/file") }
        let event = try #require(r.last)
        #expect(event.kind == .preserveFolios && event.outcome == .errno(.ENOMEM))
        let added = event.tracker.prefix { $0.added }.map(\.block)
        #expect(!added.isEmpty && added == Array(set.blocks.prefix(added.count)))
        #expect(event.tracker.dropFirst(added.count).map(\.block) == added.reversed())
        #expect(event.tracker.dropFirst(added.count).allSatisfy { !$0.added })
        #expect(Set(try m.preservedBlocks()).isDisjoint(with: set.blocks))
    }

    @Test func aSetNameIsOneObject() throws {
        let r = try Recorder()
        try r.machine.vmalloc(name: "taken", size: 4096)
        #expect(throws: MachineError.duplicateObject(kind: "folio set", name: "taken")) {
            try r.machine.allocFolios(count: 1, order: 0, name: "taken")
        }
        #expect(throws: MachineError.unknownObject(kind: "folio set", name: "missing")) {
            try r.machine.preserveFolios(name: "missing")
        }
    }

    /// A fill made piece by piece is the fill made whole.
    @Test(arguments: [ScenarioFill.random, .text("abcdefg"), .pattern(0x5a), .zero])
    func piecesJoinIntoTheWholeFill(fill: ScenarioFill) {
        var whole = SplitMix64(seed: 3), pieces = SplitMix64(seed: 3)
        var joined: [UInt8] = []
        for offset in stride(from: 0, to: 1_000, by: 64) {
            joined += fill.piece(at: offset, count: min(64, 1_000 - offset), random: &pieces)
        }
        #expect(joined == fill.bytes(count: 1_000, random: &whole))
    }
}
