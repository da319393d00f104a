import Foundation
import GRDB
import Testing
@testable import KHOLedger
@testable import KHOMachine

/// Ledgers whose hashes are v1 (recorded before generation rows and
/// interval ends were chained) keep verifying; once an op only v2 covers
/// is in the chain, a later v1 hash is a break (no downgrade).
@Suite("Hash chain versions")
struct ChainVersionTests {
    private func recorded() throws -> (TemporaryLedger, Ledger) {
        let temp = try TemporaryLedger()
        let (ledger, _) = try temp.record { m in
            try m.vmalloc(name: "a", size: 4096 * 8)
            let blob = try m.allocPreserve(size: 16, name: "a-desc")
            try m.preserveVmalloc(area: "a", descriptorPhys: blob)
            try m.addSubtree(name: "a", phys: blob, size: 16)
            try m.kexec()
            let (phys, _) = try m.retrieveSubtree(name: "a")
            try m.restoreVmalloc(descriptorPhys: phys, name: "a")
            try m.kexec()
        }
        return (temp, ledger)
    }

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
        // Every boot, kexec and op that ended an interval has a v1 hash that differs from its v2 hash.
        #expect(v1.legacy >= 5)
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
