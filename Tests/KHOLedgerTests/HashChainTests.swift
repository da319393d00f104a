import Foundation
import GRDB
import Testing
@testable import KHOLedger
@testable import KHOMachine

@Suite("Hash chain")
struct HashChainTests {
    private func recorded() throws -> (TemporaryLedger, Ledger) {
        let temp = try TemporaryLedger()
        let (ledger, _) = try temp.record { m in
            try m.vmalloc(name: "a", size: 4096 * 600)
            try m.write(area: "a", offset: 100, bytes: Array("hello".utf8))
            let blob = try m.allocPreserve(size: 16, name: "a-desc")
            try m.preserveVmalloc(area: "a", descriptorPhys: blob)
            try m.addSubtree(name: "a", phys: blob, size: 16)
            try m.kexec()
            let (phys, _) = try m.retrieveSubtree(name: "a")
            try m.restoreVmalloc(descriptorPhys: phys, name: "a")
        }
        return (temp, ledger)
    }

    @Test func intactChainVerifies() throws {
        let (_, ledger) = try recorded()
        let report = try ChainVerifier(ledger: ledger).verify()
        #expect(report.isIntact)
        #expect(report.checked == (try ledger.count("SELECT count(*) FROM op")))
    }

    /// Flipping any single byte of an op row or a chunk row breaks the chain
    /// at exactly that op.
    @Test func everyTamperedByteIsFound() throws {
        let (_, ledger) = try recorded()
        let columns = ["time", "kind", "subject", "args", "result", "hash"]
        let seqs = try ledger.database.read { try Int64.fetchAll($0, sql: "SELECT seq FROM op ORDER BY seq") }
        for seq in seqs {
            for column in columns {
                let original = try ledger.database.read { try DatabaseValue.fetchOne($0, sql: "SELECT \(column) FROM op WHERE seq = ?", arguments: [seq]) }
                guard let original, !original.isNull else { continue }
                try ledger.database.write { db in
                    if column == "hash" {
                        try db.execute(sql: "UPDATE op SET hash = zeroblob(32) WHERE seq = ?", arguments: [seq])
                    } else {
                        try db.execute(sql: "UPDATE op SET \(column) = \(column) || 'x' WHERE seq = ?", arguments: [seq])
                    }
                }
                let report = try ChainVerifier(ledger: ledger).verify()
                #expect(report.firstBroken == seq, "op \(seq) column \(column)")
                try ledger.database.write { try $0.execute(sql: "UPDATE op SET \(column) = ? WHERE seq = ?", arguments: [original, seq]) }
            }
        }
        let chunks = try ledger.database.read { try Row.fetchAll($0, sql: "SELECT object_id, idx, from_seq FROM v_chunks") }
        #expect(chunks.count >= 4)
        for chunk in chunks {
            let objectID: Int64 = chunk["object_id"], idx: Int64 = chunk["idx"], seq: Int64 = chunk["from_seq"]
            let original = try ledger.database.read {
                try Data.fetchOne($0, sql: "SELECT bytes FROM chunk WHERE object_id = ? AND idx = ?", arguments: [objectID, idx])
            }!
            var tampered = original
            tampered[tampered.count / 2] ^= 0x01
            try ledger.database.write { try $0.execute(sql: "UPDATE chunk SET bytes = ? WHERE object_id = ? AND idx = ?", arguments: [tampered, objectID, idx]) }
            #expect(try ChainVerifier(ledger: ledger).verify().firstBroken == seq)
            try ledger.database.write { try $0.execute(sql: "UPDATE chunk SET bytes = ? WHERE object_id = ? AND idx = ?", arguments: [original, objectID, idx]) }
        }
        #expect(try ChainVerifier(ledger: ledger).verify().isIntact)
    }
}
