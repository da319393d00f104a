import Foundation
import KHOFleet
import KHOLedger
import KHOTestSupport
import Testing

/// The store is append-only per host: a tampered, rewritten or shortened
/// ledger is refused with the host and the first seq, and nothing of it is
/// stored; a row edited in the store is named by `fleet verify`.
@Suite("Fleet refused histories")
struct RefusedHistoryTests {
    @Test func aTamperedLedgerIsRefusedAndNothingIsStored() throws {
        let fleet = try FleetFixture()
        let path = try fleet.ledger("a.db", ["multi-generation.yaml"])
        _ = try ToolRunner.sqlite(path, "UPDATE op SET args = '{\"name\":\"x\"}' WHERE seq = 5")
        let result = try fleet.tool(["push", "--host", "hv-a", "--ledger", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: push of host \"hv-a\" refused: the ledger's hash chain is broken at seq 5 "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try fleet.integer("SELECT count(*) FROM op") == 0)
    }

    @Test func aRewrittenHistoryIsRefusedAtItsFirstDifferentSeq() throws {
        let fleet = try FleetFixture()
        let original = try fleet.ledger("a.db", ["multi-generation.yaml"])
        try fleet.push(original, host: "hv-a")
        let counts = try fleet.rowCounts()
        // The same scenario recorded again: the same ops at other times, so every hash differs.
        let rewritten = try fleet.ledger("b.db", ["multi-generation.yaml"])
        let result = try fleet.tool(["push", "--host", "hv-a", "--ledger", rewritten])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: push of host \"hv-a\" refused: the ledger's history differs from the store's at seq 1 "),
                "\(result.stderr)")
        #expect(try fleet.rowCounts() == counts)
        // Forked later: the original's first 40 ops, then others (their hashes all differ).
        let forked = fleet.folder.path("fork.db")
        try FileManager.default.copyItem(atPath: original, toPath: forked)
        _ = try ToolRunner.sqlite(forked, "UPDATE op SET hash = randomblob(32) WHERE seq >= 41")
        let error = #expect(throws: FleetError.self) { try fleet.push(forked, host: "hv-a") }
        #expect(error?.description.contains("differs from the store's at seq 41") == true, "\(String(describing: error))")
        #expect(try fleet.rowCounts() == counts)
    }

    @Test func aLedgerThatEndsBeforeTheStoredHeadIsRefused() throws {
        let fleet = try FleetFixture()
        let original = try fleet.ledger("a.db", ["multi-generation.yaml"])
        try fleet.push(original, host: "hv-a")
        let shortened = fleet.folder.path("short.db")
        try FileManager.default.copyItem(atPath: original, toPath: shortened)
        _ = try ToolRunner.sqlite(shortened, "DELETE FROM op WHERE seq > 30")
        let result = try fleet.tool(["push", "--host", "hv-a", "--ledger", shortened])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the ledger ends at seq 30, but the store holds the host's ops up to seq 62"), "\(result.stderr)")
        #expect(try fleet.integer("SELECT count(*) FROM op") == 62)
    }

    @Test(arguments: [
        ("UPDATE op SET args = '{}' WHERE seq = 12", 12),
        ("UPDATE op_change SET phys = phys + 4096 WHERE seq = (SELECT min(seq) FROM op_change WHERE seq > 20)", -1),
        ("DELETE FROM op WHERE seq = 33", 33),
        ("UPDATE host SET head_seq = 61", 62),
    ])
    func aRowEditedInTheStoreIsNamedByVerify(edit: String, seq: Int64) throws {
        let fleet = try FleetFixture()
        let path = try fleet.ledger("a.db", ["multi-generation.yaml"])
        try fleet.push(path, host: "hv-a")
        let expected = seq > 0 ? seq : try fleet.integer("SELECT min(seq) FROM op_change WHERE seq > 20")
        try PostgresTestServer.psql(fleet.url, edit)
        let result = try fleet.tool(["fleet", "verify"])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("host hv-a: BROKEN at seq \(expected): "), "\(result.stdout)")
    }
}
