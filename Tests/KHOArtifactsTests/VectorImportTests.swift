import Foundation
import GRDB
import KHOABI
import KHOArtifacts
@testable import KHOLedger
import KHOReplay
import KHOTestSupport
import Testing

/// Every reference vector imported into a ledger: the generation's handover
/// is the capture (preserved set, areas, subtrees, content).
@Suite("Import of the reference vectors")
struct VectorImportTests {
    @Test(arguments: ReferenceVector.names)
    func handoverIsTheTrackerWalk(name: String) throws {
        let imported = try ImportedVector(name)
        let state = try imported.handover()
        #expect(state.seq == imported.summary.kexecSeq)
        #expect(state.preserved.map(\.description) == (try imported.vector.walkBlockLines()))
        #expect(state.generation == imported.summary.generation)
    }

    @Test(arguments: ReferenceVector.names)
    func everyAreaRestoresFromTheLedger(name: String) throws {
        let imported = try ImportedVector(name)
        let seq = imported.summary.kexecSeq
        for area in try imported.vector.areas() {
            let areaName = try #require(area["name"] as? String)
            let restored = try LedgerRestore(ledger: imported.ledger).restore(area: areaName, at: seq)
            #expect(restored.restored.sha256 == area["sha256"] as? String, "\(name) \(areaName)")
            #expect(restored.area.descriptorPhys == parseHex(area["descriptor_phys"]))
            #expect(restored.restored.chunkPhys.count == area["nr_chunks"] as? Int)
        }
    }

    @Test(arguments: ReferenceVector.names)
    func subtreesAreTheFDTs(name: String) throws {
        let imported = try ImportedVector(name)
        let expected = try #require(try imported.vector.expected()["subtrees"] as? [[String: Any]])
        let subtrees = try imported.handover().subtrees
        #expect(subtrees.allSatisfy { $0.direction == .outgoing && $0.blobSHA256 != nil })
        // Recorded in registration order, the reverse of the FDT's.
        #expect(subtrees.reversed().map(\.name) == expected.map { $0["name"] as? String })
        #expect(subtrees.reversed().map(\.phys) == expected.map { parseHex($0["phys"]) })
        if imported.summary.abi.hasBlobSize {
            #expect(subtrees.reversed().map { $0.size.map(Int.init) } == expected.map { $0["size"] as? Int })
        }
    }

    @Test func rawImageWithItsBase() throws {
        let imported = try ImportedVector("k4-s7", raw: true)
        #expect(try imported.handover().preserved.map(\.description) == (try imported.vector.walkBlockLines()))
        for area in try imported.vector.areas() {
            let restored = try LedgerRestore(ledger: imported.ledger).restore(area: try #require(area["name"] as? String),
                                                                              at: imported.summary.kexecSeq)
            #expect(restored.restored.sha256 == area["sha256"] as? String)
        }
    }

    @Test func theGenerationRowNamesTheCapture() throws {
        let imported = try ImportedVector("k4-cons-s19")
        let row = try #require(try imported.ledger.database.read { db in
            try Row.fetchOne(db, sql: "SELECT source, label, machine, root_fdt, fdt_phys, tracker_root, abi, boot_number FROM generation")
        })
        #expect(row["source"] as String == "import")
        #expect(row["label"] as String == "k4-cons-s19")
        #expect((row["machine"] as String?) == nil, "replay --verify has nothing to re-run for a capture")
        #expect([UInt8](row["root_fdt"] as Data) == (try imported.vector.bytes("kho.dtb")))
        #expect(UInt64(bitPattern: row["fdt_phys"]) == (try imported.vector.expectedNumber("fdt_phys")))
        #expect(UInt64(bitPattern: row["tracker_root"]) == (try imported.vector.expectedNumber("radix_root_phys")))
        #expect(row["abi"] as String == "kho-v3" && row["boot_number"] as Int == 0)
    }

    /// Without --vmalloc, the areas the kho_test module and the memfd point
    /// to are found through their formats.
    @Test(arguments: ["k4-cons-s19", "k4-v1b-s17"])
    func consumerAreasAreFound(name: String) throws {
        let imported = try ImportedVector(name, namingAreas: false)
        let khoTest = try imported.consumer("kho_test")
        let memfd = try imported.consumer("memfd")
        let token = try #require(memfd["token"] as? Int)
        let found = imported.summary.areas.map { "\($0.area.name) \($0.area.origin) \(hex($0.area.descriptorPhys)) \($0.restored.descriptor.totalPages)" }
        #expect(found.sorted() == [
            "kho_test/folios_info kho_test \(try #require(khoTest["descriptor_phys"] as? String)) \(try #require(khoTest["array_pages"] as? Int))",
            "vm-1/memfd-\(token)/folios memfd \(try #require(memfd["folios_descriptor_phys"] as? String)) \(try #require(memfd["array_pages"] as? Int))",
        ])
    }

    /// The memfd's file and the kho_test folios' data, rebuilt from the
    /// ledger alone (restored folio arrays, then folio pages from the
    /// ledger's memory), hash to expected.json's values.
    @Test func consumerDataRebuildsFromTheLedger() throws {
        let imported = try ImportedVector("k4-cons-s19", namingAreas: false)
        let state = try imported.handover()
        let view = try MemoryView(ledger: imported.ledger, lineage: state.lineage, seq: state.seq)
        let geometry = state.geometry

        let memfd = try imported.consumer("memfd")
        let folios = try MemfdLuoFolioSer.decodeArray(try restoredBytes("vm-1/memfd-\(try #require(memfd["token"] as? Int))/folios", imported),
                                                      count: try #require(memfd["nr_folios"] as? Int))
        // A folio's order is not in the array: the imported tracker has it.
        let orders = Dictionary(state.preserved.map { ($0.phys, $0.order) }, uniquingKeysWith: max)
        var file = [UInt8](repeating: 0, count: try #require(memfd["size"] as? Int))
        for folio in folios where folio.pfn != 0 {
            let phys = folio.pfn << UInt64(geometry.pageShift)
            let start = Int(folio.index) * geometry.pageSize
            guard start < file.count else { continue }
            let order = try #require(orders[phys], "folio \(hex(phys)) is not preserved")
            let bytes = try view.read(phys, count: min(Int(geometry.bytes(order: order)), file.count - start))
            file.replaceSubrange(start ..< start + bytes.count, with: bytes)
        }
        #expect(sha256Hex(file) == memfd["sha256"] as? String)

        let khoTest = try imported.consumer("kho_test")
        let entries = try restoredBytes(KHOTestSubtree.single.foliosInfoAreaName, imported)
        var data: [UInt8] = []
        for index in 0 ..< (try #require(khoTest["nr_folios"] as? Int)) {
            let folio = KHOTestFolio(entry: entries.loadLittleEndian(UInt64.self, at: 8 * index), geometry: geometry)
            data += try view.read(folio.phys, count: Int(geometry.bytes(order: folio.order)))
        }
        #expect(sha256Hex(data) == khoTest["sha256"] as? String)
    }

    private func restoredBytes(_ area: String, _ imported: ImportedVector) throws -> [UInt8] {
        var bytes: [UInt8] = []
        _ = try LedgerRestore(ledger: imported.ledger).restore(area: area, at: imported.summary.kexecSeq) { bytes += $0 }
        return bytes
    }
}
