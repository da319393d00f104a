import Foundation
import GRDB
import KHOMachine
import Testing
@testable import KHOLedger

/// The interval-fork column and query answer "which rows hold at seq S"
/// exactly like a scan of every row would, on a real ledger file.
struct IntervalForkTests {
    /// Random closed and open preserved_run rows in two generations of a
    /// migrated ledger, closed later with a plain UPDATE, as a client would.
    private func randomRuns(_ db: Database, seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<3_000 {
            let from = Int64(1 + random.next() % 20_000)
            try db.execute(sql: "INSERT INTO preserved_run (generation, phys, ord, count, from_seq) VALUES (?, 0, 0, 1, ?)",
                           arguments: [random.next() % 2, from])
            guard random.next() % 5 != 0 else { continue }
            try db.execute(sql: "UPDATE preserved_run SET to_seq = ? WHERE id = ?",
                           arguments: [from + 1 + Int64(random.next() % 4_000), db.lastInsertedRowID])
        }
    }

    @Test func forkIsTheSeqWithTheMostTrailingZeros() throws {
        let ledger = try TemporaryLedger()
        try Ledger(path: ledger.path).database.write { db in
            try randomRuns(db, seed: 11)
            for row in try Row.fetchAll(db, sql: "SELECT from_seq, to_seq, fork FROM preserved_run") {
                let from: Int64 = row["from_seq"], fork: Int64 = row["fork"]
                guard let to: Int64 = row["to_seq"] else {
                    #expect(fork == IntervalFork.root)
                    continue
                }
                #expect(fork >= from && fork < to)
                #expect(fork.trailingZeroBitCount == (from..<to).map(\.trailingZeroBitCount).max())
            }
        }
    }

    @Test func stabbingQueryEqualsAFullScan() throws {
        let ledger = try TemporaryLedger()
        try Ledger(path: ledger.path).database.write { db in
            try randomRuns(db, seed: 12)
            var random = SplitMix64(seed: 13)
            for _ in 0..<300 {
                let seq = Int64(1 + random.next() % 25_000)
                let query = IntervalFork.select("id", from: "preserved_run", generation: 1, seq: seq)
                let stabbed = try Int64.fetchAll(db, sql: query.sql, arguments: StatementArguments(query.arguments))
                let scanned = try Int64.fetchSet(db, sql: """
                    SELECT id FROM preserved_run WHERE generation = 1 AND from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)
                    """, arguments: [seq, seq])
                #expect(Set(stabbed) == scanned, "seq \(seq)")
                #expect(stabbed.count == scanned.count, "no row twice at seq \(seq)")
            }
        }
    }
}
