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

    /// A value with one byte changed: the low bit of a middle byte of text or
    /// a blob (ASCII stays ASCII), or an integer plus one.
    private func flipped(_ value: DatabaseValue) -> DatabaseValue? {
        switch value.storage {
        case .int64(let n): return (n + 1).databaseValue
        case .string(let text):
            var bytes = Array(text.utf8)
            guard !bytes.isEmpty else { return nil }
            bytes[bytes.count / 2] ^= 0x01
            return String(decoding: bytes, as: UTF8.self).databaseValue
        case .blob(var data):
            guard !data.isEmpty else { return nil }
            data[data.count / 2] ^= 0x01
            return data.databaseValue
        default: return nil
        }
    }

    /// Changes one byte of `column` in the row `key`, checks which op the
    /// chain verifier blames, and restores the row.
    private func blamed(_ ledger: Ledger, table: String, column: String, key: String, _ arguments: StatementArguments) throws -> Int64?? {
        let original = try ledger.database.read {
            try DatabaseValue.fetchOne($0, sql: "SELECT \(column) FROM \(table) WHERE \(key)", arguments: arguments)
        }
        guard let original, let changed = flipped(original) else { return .none }
        // A tamperer is not bound by foreign keys.
        try ledger.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE \(key)", arguments: [changed] + arguments)
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let broken = try ChainVerifier(ledger: ledger).verify().firstBroken
        try ledger.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE \(column) = ? AND \(key)",
                           arguments: [original, changed] + arguments)
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        return .some(broken)
    }

    /// Changing any single byte of any column of an op row or a chunk row
    /// breaks the chain at exactly that op.
    @Test func everyTamperedByteIsFound() throws {
        let (_, ledger) = try recorded()
        let opColumns = try ledger.database.read { try $0.columns(in: "op").map(\.name) }.filter { $0 != "seq" }
        let seqs = try ledger.database.read { try Int64.fetchAll($0, sql: "SELECT seq FROM op ORDER BY seq") }
        var tried = 0
        for seq in seqs {
            for column in opColumns {
                guard let blamed = try blamed(ledger, table: "op", column: column, key: "seq = ?", [seq]) else { continue }
                // A changed hash or prev_hash breaks the link at this op or at the next one.
                #expect(blamed == seq || (column == "hash" && blamed == seq + 1), "op \(seq) column \(column)")
                tried += 1
            }
        }
        #expect(tried > seqs.count * 5)

        let chunkColumns = ["phys", "next", "entries", "bytes"]
        let chunks = try ledger.database.read { try Row.fetchAll($0, sql: "SELECT object_id, idx, from_seq FROM v_chunks") }
        #expect(chunks.count >= 4)
        for chunk in chunks {
            let objectID: Int64 = chunk["object_id"], idx: Int64 = chunk["idx"], seq: Int64 = chunk["from_seq"]
            for column in chunkColumns {
                let blamed = try blamed(ledger, table: "chunk", column: column, key: "object_id = ? AND idx = ?", [objectID, idx])
                #expect(blamed == .some(seq), "chunk \(objectID)/\(idx) column \(column)")
            }
        }
        #expect(try ChainVerifier(ledger: ledger).verify().isIntact)
    }

    // MARK: versions: ledgers whose hashes are v1 (recorded before generation
    // rows and interval ends were chained) keep verifying; once an op only
    // v2 covers is in the chain, a later v1 hash is a break (no downgrade).

    /// Re-hashes the ops from seq `first` on as `version` hashes them, the
    /// way a build of that version would have recorded them.
    private func rehash(_ ledger: Ledger, from first: Int64, as version: HashChain.Version) throws {
        try ledger.database.writeWithoutTransaction { db in
            var previous = HashChain.genesis
            var ends = try IntervalEndStreams(db)
            var hashes: [(Int64, Data, Data)] = []
            for row in try Row.fetchAll(db, sql: "SELECT * FROM op ORDER BY seq") {
                var rows = try ChainVerifier.rows(of: row, db: db)
                rows.ends = try ends.ends(of: rows.op)
                let hash = rows.op.seq >= first ? HashChain.hash(rows, previous: previous, version: version) : row["hash"] as Data
                hashes.append((rows.op.seq, previous, hash))
                previous = hash
            }
            for (seq, previous, hash) in hashes {
                try db.execute(sql: "UPDATE op SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [previous, hash, seq])
            }
        }
    }

    @Test func v1LedgerVerifies() throws {
        let (_, ledger) = try recorded()
        let v2 = try ChainVerifier(ledger: ledger).verify()
        #expect(v2.isIntact && v2.legacy == 0)
        try rehash(ledger, from: 1, as: .v1)
        let v1 = try ChainVerifier(ledger: ledger).verify()
        #expect(v1.isIntact, "\(v1)")
        // Both boots, the kexec and every op that ended an interval have a v1 hash that differs from their v2 hash.
        #expect(v1.legacy >= 3)
        #expect(v1.checked == (try ledger.count("SELECT count(*) FROM op")))
    }

    @Test func v1AfterV2IsABreak() throws {
        let (_, ledger) = try recorded()
        // The second generation's boot is v1 again, after the first boot proved v2.
        let boot = try #require(try ledger.database.read {
            try Int64.fetchOne($0, sql: "SELECT boot_seq FROM generation ORDER BY generation LIMIT 1 OFFSET 1")
        })
        try rehash(ledger, from: boot, as: .v1)
        #expect(try ChainVerifier(ledger: ledger).verify().firstBroken == boot)
    }
}
