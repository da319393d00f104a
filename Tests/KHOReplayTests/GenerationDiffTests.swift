import Foundation
import GRDB
import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay
import KHOTestSupport
import Testing

/// `GenerationDiff` between two handovers lists what the scenario changed,
/// checked against the emulator's memory and tracker at both kexecs.
@Suite("Generation diff")
struct GenerationDiffTests {
    /// gen0 preserves two areas; gen1 restores one and writes pages 3, 7
    /// and 8 in place, and rebuilds the other in new frames with the same
    /// bytes except page 5; both are preserved again and handed over.
    static let rewrite = """
        machine: {page_size: 4096, memory: 64MiB, seed: 11}
        steps:
          - vmalloc: {name: inplace, size: 16 pages, fill: random}
          - vmalloc: {name: copy, size: 8 pages, text: "handover-"}
          - alloc_preserve: {size: 32, as: d}
          - preserve_vmalloc: {area: inplace, descriptor: d}
          - preserve_vmalloc: {area: copy, descriptor: d+16}
          - add_subtree: {name: app, blob: d}
          - kexec
          - retrieve_subtree: {name: app, as: in}
          - restore_vmalloc: {descriptor: in, as: inplace}
          - restore_vmalloc: {descriptor: in+16, as: old}
          - vmalloc: {name: copy, size: 8 pages, text: "handover-"}
          - write: {area: inplace, offset: 12288, random: 4KiB}
          - write: {area: inplace, offset: 28772, random: 5000}
          - write: {area: copy, offset: 20480, text: "changed"}
          - alloc_preserve: {size: 32, as: e}
          - preserve_vmalloc: {area: inplace, descriptor: e}
          - preserve_vmalloc: {area: copy, descriptor: e+16}
          - add_subtree: {name: app, blob: e}
          - kexec
        """

    @Test func changedAndMovedPagesOfPairedAreas() throws {
        let directory = try TemporaryDirectory("diff")
        let run = try RecordedScenario(Scenario(yaml: Self.rewrite), path: directory.path("ledger.db"))
        let diff = try GenerationDiff(ledger: run.ledger, from: PointInTime(parsing: "gen:0").resolve(in: run.ledger).seq,
                                      to: PointInTime(parsing: "gen:1").resolve(in: run.ledger).seq)
        #expect(diff.from.seq == run.handovers[0].seq && diff.to.seq == run.handovers[1].seq)
        #expect(diff.from.generation == 0 && diff.to.generation == 1)

        let inplace = try #require(diff.changedAreas.first { $0.to.name == "inplace" && $0.to.kind == .vmalloc })
        #expect(inplace.from.kind == .vmalloc && inplace.descriptorChanged)
        #expect(inplace.changedPages == [IndexRange(first: 3, count: 1), IndexRange(first: 7, count: 2)])
        #expect(inplace.movedPages.isEmpty && inplace.movedFrames.isEmpty, "restored in place")

        let copy = try #require(diff.changedAreas.first { $0.to.name == "copy" && $0.to.kind == .vmalloc })
        #expect(copy.changedPages == [IndexRange(first: 5, count: 1)])
        #expect(copy.movedPages == [IndexRange(first: 0, count: 5), IndexRange(first: 6, count: 2)])
        #expect(copy.movedFrames.reduce(0) { $0 + $1.count } == 8, "every frame of the rebuilt area moved")
        let frames = try framesOf(copy, in: run)
        for move in copy.movedFrames {
            for i in 0..<move.count {
                #expect(frames.old[move.index + i] == move.from + UInt64(i * 4096))
                #expect(frames.new[move.index + i] == move.to + UInt64(i * 4096))
            }
        }
        #expect(diff.addedAreas.map(\.name).sorted() == ["inplace", "old"], "the restored areas of gen1")
        #expect(diff.removedAreas.isEmpty)

        let (a, b) = (Set(run.handovers[0].preserved), Set(run.handovers[1].preserved))
        #expect(Set(diff.addedBlocks) == b.subtracting(a))
        #expect(Set(diff.removedBlocks) == a.subtracting(b))
        #expect(diff.changedSubtrees.map(\.to.name) == ["kexec-metadata", "app"], "each kernel writes its own kexec-metadata")
        #expect(diff.addedSubtrees.map { "\($0.direction.rawValue) \($0.name)" } == ["in app", "in kexec-metadata"])
        #expect(Set(try changedPages(diff)) == expectedContentChanges(run, from: 0, to: 1))
    }

    /// memfd-luo.yaml writes, between its two handovers, a 3 MiB log file of
    /// text into two order-9 folios, its folio array and the LUO records:
    /// the diff lists exactly the preserved pages those writes changed.
    @Test func memfdExampleListsThePagesWrittenBetweenHandovers() throws {
        let directory = try TemporaryDirectory("diff")
        let run = try RecordedScenario(example: "memfd-luo.yaml", path: directory.path("ledger.db"))
        #expect(run.handovers.count == 2)
        let diff = try GenerationDiff(ledger: run.ledger, from: PointInTime(parsing: "gen:0").resolve(in: run.ledger).seq,
                                      to: PointInTime(parsing: "gen:1").resolve(in: run.ledger).seq)
        let changed = Set(try changedPages(diff))
        let written = run.pagesWritten(after: run.handovers[0].seq, through: run.handovers[1].seq)
        let preserved = run.handovers[1].preservedPages(run.geometry)
        #expect(changed == expectedContentChanges(run, from: 0, to: 1))
        #expect(changed.isSubset(of: written), "only pages the scenario wrote changed")
        let unchanged = written.intersection(preserved).subtracting(changed)
        #expect(unchanged.allSatisfy { run.handovers[1].memory.page($0).allSatisfy { $0 == 0 } },
                "a written preserved page not listed is one zero-filled over zeros")

        // The file's two order-9 folios are one object, preserved by one call.
        let log = diff.to.objects.filter { $0.name == "log/file" }
        #expect(log.count == 1 && log.allSatisfy { $0.kind == .folios && $0.totalPages == 1024 })
        var readOnly = Configuration()
        readOnly.readonly = true
        let folios = try DatabaseQueue(path: run.ledger.path, configuration: readOnly).read {
            try String.fetchAll($0, sql: "SELECT phys FROM v_frames WHERE owner = 'log/file' AND generation = 1 ORDER BY index_in_owner")
        }.compactMap { UInt64($0.dropFirst(2), radix: 16) }
        #expect(folios.count == 2)
        let text = folios.flatMap { folio in (0..<512).map { folio + UInt64($0 * 4096) } }.prefix(768)
        #expect(Set(text).isSubset(of: changed), "the 768 pages of log text")
        #expect(diff.addedAreas.map(\.name).contains("log/folios"))
        #expect(diff.changedContentPages == changed.count)
    }

    /// Right after gen1 restored the areas, `copy` exists only as `old`:
    /// it pairs by descriptor address, with nothing changed but kind and name.
    @Test func areasPairByDescriptorWhenRenamed() throws {
        let directory = try TemporaryDirectory("diff")
        let run = try RecordedScenario(Scenario(yaml: Self.rewrite), path: directory.path("ledger.db"))
        let restored = try PointInTime(parsing: "gen:1+7").resolve(in: run.ledger).seq  // boot, 4 kexec-metadata calls, retrieve, 2 restores
        let diff = try GenerationDiff(ledger: run.ledger, from: run.handovers[0].seq, to: restored)
        #expect(diff.addedAreas.isEmpty && diff.removedAreas.isEmpty)
        let pairs = diff.pairedAreas.map { "\($0.from.kind.rawValue) \($0.from.name) → \($0.to.kind.rawValue) \($0.to.name)" }
        #expect(pairs == ["vmalloc inplace → restored_vmalloc inplace", "vmalloc copy → restored_vmalloc old"])
        let old = try #require(diff.pairedAreas.last)
        #expect(old.from.descriptorPhys == old.to.descriptorPhys)
        #expect(old.changedPages.isEmpty && old.movedPages.isEmpty && old.movedFrames.isEmpty)
        #expect(old.descriptorChanged, "the kind changed")
    }

    @Test func identicalPointsHaveNoDifferences() throws {
        let directory = try TemporaryDirectory("diff")
        let run = try RecordedScenario(Scenario(yaml: Self.rewrite), path: directory.path("ledger.db"))
        let seq = run.handovers[1].seq
        let diff = try GenerationDiff(ledger: run.ledger, from: seq, to: seq)
        #expect(diff.changedAreas.isEmpty && diff.addedAreas.isEmpty && diff.removedAreas.isEmpty)
        #expect(diff.unchangedAreas.count == diff.to.areas.count)
        #expect(diff.addedBlocks.isEmpty && diff.removedBlocks.isEmpty && diff.changedContent.isEmpty)
        #expect(diff.changedSubtrees.isEmpty && diff.addedSubtrees.isEmpty && diff.removedSubtrees.isEmpty)
    }

    /// The physical addresses of the pages in `changedContent`.
    private func changedPages(_ diff: GenerationDiff) throws -> [UInt64] {
        let pageSize = UInt64(diff.to.geometry.pageSize)
        return diff.changedContent.flatMap { range in (range.first...range.last).map { UInt64($0) * pageSize } }
    }

    /// The emulator's answer: pages preserved at the second kexec whose
    /// bytes differ from the first kexec's.
    private func expectedContentChanges(_ run: RecordedScenario, from: Int, to: Int) -> Set<UInt64> {
        let (a, b) = (run.handovers[from], run.handovers[to])
        return b.preservedPages(run.geometry).filter { a.memory.page($0) != b.memory.page($0) }
    }

    /// Head page of every frame of both versions of a paired area, from
    /// the emulator's handover memory: the chunk pages the descriptors name.
    private func framesOf(_ change: AreaChange, in run: RecordedScenario) throws -> (old: [UInt64], new: [UInt64]) {
        func frames(_ area: AsOfState.Area, _ handover: RecordedScenario.Handover) throws -> [UInt64] {
            let restored = try VmallocRestorer(geometry: run.geometry, read: { try handover.memory.read($0, count: $1) })
                .restore(descriptorAt: area.descriptorPhys)
            return restored.blockPhys
        }
        return (try frames(change.from, run.handovers[0]), try frames(change.to, run.handovers[1]))
    }
}
