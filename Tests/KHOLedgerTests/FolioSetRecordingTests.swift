import Foundation
import GRDB
import KHOABI
import Testing
@testable import KHOLedger
@testable import KHOMachine

/// A file's folios recorded as one op each for their allocation,
/// preservation and unpreservation (``FolioSet``), and the per-folio calls
/// that touch them afterwards.
@Suite("Folio set recording")
struct FolioSetRecordingTests {
    let geometry = try! PageGeometry(pageSize: 4096)

    @Test func aFileIsOneOpAndEachFolioStaysAddressable() throws {
        let temp = try TemporaryLedger()
        var set: FolioSet?
        let (ledger, _) = try temp.record { m in
            set = try m.allocFolios(count: 1_100, order: 0, name: "memfd/file")
            try m.preserveFolios(name: "memfd/file")
            try m.unpreserveFolio(set!.folios[600], order: 0)
            try m.preserveFolio(set!.folios[600], order: 0)
            // Already preserved: the bit is set again, nothing opens.
            try m.preserveFolio(set!.folios[601], order: 0)
            try m.unpreserveFolios(name: "memfd/file")
        }
        let folios = try #require(set).folios
        func seq(_ kind: String, _ nth: Int = 0) throws -> Int64 {
            try #require(try ledger.database.read {
                try Int64.fetchOne($0, sql: "SELECT seq FROM op WHERE kind = ? ORDER BY seq LIMIT 1 OFFSET ?", arguments: [kind, nth])
            })
        }
        #expect(try ledger.count("SELECT count(*) FROM op WHERE kind IN ('alloc_folios', 'preserve_folios', 'unpreserve_folios')") == 3)
        let preserved = try seq("preserve_folios"), unpreserved = try seq("unpreserve_folio")
        let again = try seq("preserve_folio"), twice = try seq("preserve_folio", 1), gone = try seq("unpreserve_folios")
        // Packed: far fewer rows than folios (neighbours that happen to touch make runs of their own).
        #expect(try ledger.count("SELECT count(*) FROM op_change WHERE seq = ?", [preserved]) < 1_100 / 4)
        #expect(try ledger.count("SELECT count(*) FROM preserved_run WHERE from_seq = ?", [preserved]) < 1_100 / 4)

        let memory = try ledger.database.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT memory_base, memory_size FROM generation WHERE generation = 0"))
            return try GenerationMemory(LedgerRow(row, table: "generation"), geometry: geometry)
        }
        func held(at seq: Int64) throws -> Set<UInt64> {
            Set(try ledger.read {
                try HeldRows.preservedBlocks($0, generation: 0, seq: seq, geometry: geometry, memory: memory).map(\.phys)
            }).intersection(folios)
        }
        #expect(try held(at: preserved) == Set(folios))
        #expect(try held(at: unpreserved) == Set(folios).subtracting([folios[600]]))
        #expect(try held(at: again) == Set(folios))
        #expect(try held(at: twice) == Set(folios))
        #expect(try held(at: gone).isEmpty)
        // One object for the file, ended by unpreserve_folios, its extents the folios in file order.
        let object = try #require(try ledger.database.read {
            try Row.fetchOne($0, sql: "SELECT id, from_seq, to_seq FROM object WHERE kind = 'folios' AND name = 'memfd/file'")
        })
        #expect(object["from_seq"] as Int64 == preserved && object["to_seq"] as Int64? == gone)
        let ranges = try ledger.read { try ObjectExtents.ranges($0, objectID: object["id"], geometry: geometry, memory: memory) }
        #expect(ranges.flatMap { stride(from: $0.lowerBound, to: $0.upperBound, by: 4096) } == folios)
    }
}
