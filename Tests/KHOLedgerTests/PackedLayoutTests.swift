import Foundation
import GRDB
import KHOABI
import Testing
@testable import KHOLedger
@testable import KHOMachine

/// Schema 2's packed layout (migration 0009): scattered blocks share a row
/// that lists them, runs keep a row each, and every reader sees the same
/// blocks as the machine had.
@Suite("Packed layout")
struct PackedLayoutTests {
    let geometry = try! PageGeometry(pageSize: 4096)

    /// A ledger (kept alive by `temp`) of a vmalloc area of `frames`
    /// scattered pages, preserved, then whatever `then` does; with the
    /// area's pages in order.
    func scatteredArea(_ temp: TemporaryLedger, frames: Int,
                       then: (KHOMachine, [UInt64]) throws -> Void = { _, _ in }) throws -> (Ledger, [UInt64]) {
        var pages: [UInt64] = []
        let (ledger, _) = try temp.record { m in
            pages = try m.vmalloc(name: "scattered", size: UInt64(frames) * 4096).pages
            try m.preserveVmalloc(area: "scattered", descriptorPhys: m.allocPreserve(size: 16, name: "descriptor"))
            try then(m, pages)
        }
        return (ledger, pages)
    }

    /// Generation 0's memory, as its row states it.
    func memory(_ ledger: Ledger) throws -> GenerationMemory {
        try ledger.database.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT memory_base, memory_size FROM generation WHERE generation = 0"))
            return try GenerationMemory(LedgerRow(row, table: "generation"), geometry: geometry)
        }
    }

    @Test func singleBlocksShareARowAndRunsKeepTheirs() {
        let runs = [BlockRun(phys: 0x10000, order: 0, count: 1), BlockRun(phys: 0x40000, order: 0, count: 1),
                    BlockRun(phys: 0x80000, order: 0, count: 3), BlockRun(phys: 0x20000, order: 0, count: 1),
                    BlockRun(phys: 0x200000, order: 9, count: 1), BlockRun(phys: 0x600000, order: 9, count: 1)]
        let entries = PackedBlocks.entries(runs, geometry: geometry)
        #expect(entries == [
            PackedBlocks.Entry(run: BlockRun(phys: 0x10000, order: 0, count: 2), blocks: "[16,64]"),
            PackedBlocks.Entry(run: BlockRun(phys: 0x80000, order: 0, count: 3)),
            // One block alone is a run of one; a change of order starts a new row.
            PackedBlocks.Entry(run: BlockRun(phys: 0x20000, order: 0, count: 1)),
            PackedBlocks.Entry(run: BlockRun(phys: 0x200000, order: 9, count: 2), blocks: "[512,1536]"),
        ])
    }

    @Test func aPackedRowHoldsAtMostTheLimit() {
        let count = PackedBlocks.limit * 2 + 3
        let runs = (0..<count).map { BlockRun(phys: UInt64($0) * 0x2000, order: 0, count: 1) }
        let entries = PackedBlocks.entries(runs, geometry: geometry)
        #expect(entries.map(\.run.count) == [PackedBlocks.limit, PackedBlocks.limit, 3])
        let frames = entries.flatMap { PackedBlocks.frames($0.blocks ?? "", count: $0.run.count) ?? [] }
        #expect(frames == (0..<count).map { UInt64($0) * 2 })
    }

    @Test(arguments: ["[1,2", "1,2]", "[1,,2]", "[01,2]", "[1,2,]", "[]", "[1, 2]", "[-1,2]", "[1,2,3]", "[1.5,2]",
                      "[4503599627370496,1]", "[99999999999999999999,1]"])
    func aListThatIsNotItsCountOfFrameNumbersIsRefused(text: String) {
        #expect(PackedBlocks.frames(text, count: 2) == nil)
    }

    @Test func listsReadBack() {
        #expect(PackedBlocks.frames("[0,7,4503599627370495]", count: 3) == [0, 7, (1 << 52) - 1])
        #expect(PackedBlocks.frames(PackedBlocks.encode([5, 10, 262144]), count: 3) == [5, 10, 262144])
    }

    /// A vmalloc area of scattered pages is stored in a few packed rows, and
    /// its frames read back in order through the view, the extents query and
    /// the page-owner lookup.
    @Test func aScatteredAreaReadsBackEveryFrame() throws {
        let temp = try TemporaryLedger()
        let (ledger, pages) = try scatteredArea(temp, frames: 1_500)
        let id = try #require(try ledger.database.read {
            try Int64.fetchOne($0, sql: "SELECT id FROM object WHERE name = 'scattered' AND kind = 'vmalloc'")
        })
        let rows = try ledger.count("SELECT count(*) FROM object_extent WHERE object_id = ?", [id])
        let packed = try ledger.count("SELECT count(*) FROM object_extent WHERE object_id = ? AND blocks IS NOT NULL", [id])
        #expect(packed >= 3 && rows < 1_500 / 4, "\(rows) rows, \(packed) packed, for 1,500 frames")

        let viewed = try ledger.database.read {
            try Int64.fetchAll($0, sql: "SELECT pfn FROM v_frames WHERE object_id = ? ORDER BY index_in_owner", arguments: [id])
        }
        #expect(viewed.map { UInt64($0) << 12 } == pages, "\(viewed.count) frames in the view")

        let memory = try memory(ledger)
        let ranges = try ledger.read { try ObjectExtents.ranges($0, objectID: id, geometry: geometry, memory: memory) }
        let rangePages = ranges.flatMap { stride(from: $0.lowerBound, to: $0.upperBound, by: 4096) }
        #expect(rangePages == pages, "\(ranges.count) ranges of \(rangePages.count) pages")

        let seq = try ledger.count("SELECT max(seq) FROM op")
        for index in [0, 1, 511, 512, 1_000, 1_499] {
            let owner = try ledger.read {
                try PageOwner.fetchOne($0, page: pages[index] + 123, generation: 0, seq: Int64(seq), pageSize: 4096)
            }
            #expect(owner == PageOwner(name: "scattered", kind: "vmalloc", role: .page(index: Int64(index))))
        }
    }

    /// The tracker changes of a scattered preserve are packed too, and read
    /// back block by block: per change, per page, and by the window the
    /// audit's double-preserve check runs.
    @Test func scatteredTrackerChangesReadBackEveryBlock() throws {
        let temp = try TemporaryLedger()
        // kho_preserve_folio of a page the area already preserved: the kernel sets a set bit.
        let (ledger, pages) = try scatteredArea(temp, frames: 1_200) { m, pages in try m.preserveFolio(pages[700], order: 0, name: "again") }
        let preserve = Int64(try ledger.count("SELECT seq FROM op WHERE kind = 'preserve_vmalloc'"))
        let rows = try ledger.count("SELECT count(*) FROM op_change WHERE seq = ?", [preserve])
        let packed = try ledger.count("SELECT count(*) FROM op_change WHERE seq = ? AND blocks IS NOT NULL", [preserve])
        #expect(packed >= 2 && rows < 1_200 / 4, "\(rows) rows, \(packed) packed, for 1,200 frames and their chunk pages")

        let memory = try memory(ledger)
        var added: Set<UInt64> = []
        try ledger.read { snapshot in
            try TrackerChange.forEach(snapshot, layouts: [0: GenerationLayout(geometry: geometry, memory: memory)]) { change in
                if change.seq == preserve, change.added { added.formUnion(change.run.blocks(geometry).map(\.phys)) }
            }
        }
        #expect(added.isSuperset(of: pages), "\(added.count) blocks added")

        let operations = try ledger.read { try PageRecords.trackerOperations($0, page: pages[1_000], lineage: 0, geometry: geometry) }
        #expect(operations.map(\.seq) == [preserve])
        #expect(operations.first?.block == PreservedBlock(phys: pages[1_000], order: 0))

        let end = Int64(try ledger.count("SELECT max(seq) FROM op"))
        let doubles = try ledger.read {
            try DoublePreserve.fetchAll($0, through: end, generation: 0, layouts: [0: GenerationLayout(geometry: geometry, memory: memory)])
        }
        #expect(doubles.map(\.previousSeq) == [preserve])
        #expect(doubles.map(\.add.block) == [PreservedBlock(phys: pages[700], order: 0)])
    }

    /// The preserved intervals of a scattered preserve are packed; an
    /// unpreserve of one of their blocks splits its row, and the as-of
    /// answers before and after it hold exactly the blocks the tracker held.
    @Test func packedIntervalsSplitOnAnUnpreserve() throws {
        let temp = try TemporaryLedger()
        let (ledger, pages) = try scatteredArea(temp, frames: 1_200) { m, pages in try m.unpreserveFolio(pages[700], order: 0) }
        let preserve = Int64(try ledger.count("SELECT seq FROM op WHERE kind = 'preserve_vmalloc'"))
        let unpreserve = Int64(try ledger.count("SELECT seq FROM op WHERE kind = 'unpreserve_folio'"))
        let packed = try ledger.count("SELECT count(*) FROM preserved_run WHERE blocks IS NOT NULL AND from_seq = ?", [preserve])
        let rows = try ledger.count("SELECT count(*) FROM preserved_run")
        #expect(packed >= 2 && rows < 1_200 / 4, "\(rows) rows, \(packed) packed")

        let memory = try memory(ledger)
        func held(at seq: Int64) throws -> Set<UInt64> {
            Set(try ledger.read {
                try HeldRows.preservedBlocks($0, generation: 0, seq: seq, geometry: geometry, memory: memory).map(\.phys)
            })
        }
        let before = try held(at: preserve), after = try held(at: unpreserve)
        #expect(before.isSuperset(of: pages))
        #expect(after == before.subtracting([pages[700]]))
        // The view agrees, block for block.
        let viewed = try ledger.database.read {
            try String.fetchAll($0, sql: "SELECT phys FROM v_preserved WHERE from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)",
                                arguments: [unpreserve, unpreserve])
        }
        #expect(Set(viewed) == Set(after.map { "0x" + String($0, radix: 16) }) && viewed.count == after.count)
    }

    /// The block views (migration 0010) list every block of every layout
    /// row, runs and packed rows alike, as the checked reader reads the row
    /// (``LedgerRow/layout(phys:order:count:blocks:geometry:memory:)``):
    /// none dropped or added, each at its place in its row.
    @Test func theBlockViewsListEveryBlockOfEveryRow() throws {
        let temp = try TemporaryLedger()
        let (ledger, _) = try scatteredArea(temp, frames: 1_100) { m, pages in
            // Two pages from an odd page: two order-0 blocks, a run of two in each table.
            try m.preservePages(MachineConfig().memoryBase + 0x200_1000, count: 2, name: "range")
            try m.unpreserveFolio(pages[700], order: 0)
        }
        let memory = try memory(ledger)
        let tables = [("op_change", "seq, part", "op_change_block", "seq, part"),
                      ("preserved_run", "id", "preserved_run_block", "id"),
                      ("object_extent", "object_id, first_index", "object_extent_block", "object_id, idx - i")]
        for (table, key, view, viewKey) in tables {
            let width = key.split(separator: ",").count
            let (expected, viewed) = try ledger.database.read { db in
                let rows = try Row.fetchAll(db, sql: "SELECT \(key), phys, ord, count, blocks FROM \(table) ORDER BY \(key)")
                let expected = try rows.flatMap { row in
                    let keys = (0..<width).map { row[$0] as Int64 }
                    let blocks = try LedgerRow(row, table: table).layout(geometry: geometry, memory: memory).flatMap { $0.blocks(geometry) }
                    return blocks.enumerated().map { i, block in keys + [Int64(i), Int64(block.phys), Int64(block.order)] }
                }
                let viewed = try Row.fetchAll(db, sql: "SELECT \(viewKey), i, phys, ord FROM \(view) ORDER BY \(viewKey), i")
                    .map { row in (0..<width + 3).map { row[$0] as Int64 } }
                return (expected, viewed)
            }
            #expect(viewed == expected, "\(view): \(viewed.count) blocks, \(expected.count) in \(table)")
            let forms = try ledger.count("SELECT count(DISTINCT blocks IS NULL) FROM \(table) WHERE blocks IS NOT NULL OR count > 1")
            #expect(forms == 2, "\(table) holds packed rows and runs of several blocks")
        }
    }

    /// A packed list is untrusted input: one naming the wrong frames is a
    /// corrupt row, and its hash no longer matches.
    @Test func anEditedListIsCorruptAndBreaksTheChain() throws {
        let temp = try TemporaryLedger()
        let (ledger, _) = try scatteredArea(temp, frames: 40)
        #expect(try ChainVerifier(ledger: ledger).verify().isIntact)
        let id = try #require(try ledger.database.read {
            try Int64.fetchOne($0, sql: "SELECT object_id FROM object_extent WHERE blocks IS NOT NULL")
        })
        try ledger.database.write { try $0.execute(sql: "UPDATE object_extent SET blocks = '[1,2' WHERE object_id = ?", arguments: [id]) }
        let memory = try memory(ledger)
        do {
            _ = try ledger.read { try ObjectExtents.ranges($0, objectID: id, geometry: geometry, memory: memory) }
            Issue.record("an edited list was read")
        } catch let error as LedgerError {
            #expect("\(error)".contains("blocks"), "\(error)")
        }
        #expect(try !ChainVerifier(ledger: ledger).verify().isIntact)
    }

    /// An edited list of tracker changes breaks the chain at its op.
    @Test func anEditedChangeListBreaksTheChainAtItsOp() throws {
        let temp = try TemporaryLedger()
        let (ledger, _) = try scatteredArea(temp, frames: 40)
        let seq = Int64(try ledger.count("SELECT min(seq) FROM op_change WHERE blocks IS NOT NULL"))
        try ledger.database.write { db in
            try db.execute(sql: "UPDATE op_change SET blocks = replace(blocks, ',', ',1') WHERE seq = ? AND blocks IS NOT NULL", arguments: [seq])
        }
        #expect(try ChainVerifier(ledger: ledger).verify().firstBroken == seq)
    }
}
