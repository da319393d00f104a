import GRDB
@testable import KHOLedger
import KHOTestSupport
import Testing

/// `who`'s lookups find a page by its address through indexes: SQLite's
/// plan for each of them searches every ledger table it reads, and scans
/// only the size classes of `CoveringRuns` and the `generation` table (one
/// row per boot, for the largest page size). Subtrees (a few per
/// generation) are the one table read by generation and time. Packed
/// layout rows (``PackedBlocks``, up to 512 scattered frames each) are read
/// through their partial index and their lists expanded by `json_each`:
/// the one scan allowed, over a table of one row per 512 frames.
@Suite("Page lookup plans")
struct PageLookupPlanTests {
    static let queries: [(name: String, sql: String)] = [
        ("holders", PageOwner.query), ("preserved blocks", PageRecords.preservedQuery),
        ("tracker changes", PageRecords.trackerQuery), ("content", PageRecords.contentQuery),
    ]

    @Test(arguments: queries.map(\.name))
    func searchesEveryLedgerTable(name: String) throws {
        let directory = try TemporaryDirectory("plan")
        let run = try RandomLedgerRun(seed: 5, pageSize: 4096, path: directory.path("ledger.db"))
        try run.run(generations: 2, operations: 40)
        let sql = try #require(Self.queries.first { $0.name == name }?.sql)
        let plan = try run.ledger.database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql,
                             arguments: ["page": 0x1000, "page_size": 4096, "generation": 0, "seq": 1, "lineage": 0])
                .map { $0["detail"] as String }
        }
        let packed = ["USING INDEX object_extent_packed", "USING INDEX op_change_packed", "SCAN j VIRTUAL TABLE"]
        let scans = plan.filter { line in
            line.hasPrefix("SCAN ") && !line.hasPrefix("SCAN generation") && !line.hasSuffix("_class") && !packed.contains { line.contains($0) }
        }
        #expect(scans.isEmpty, "\(name): \(plan.joined(separator: "\n"))")
        #expect(plan.contains { $0.hasPrefix("SEARCH") }, "\(plan)")
        // No index by time: it would read the generation's history, not the page's.
        #expect(!plan.contains { $0.contains("_by_time") && !$0.hasPrefix("SEARCH s ") || $0.contains("_fork_") }, "\(plan)")
        for table in ["op_change", "preserved_run", "object_extent"] where sql.contains("FROM \(table)") {
            #expect(plan.contains { $0.contains("USING INDEX \(table)_by_page (span_bits=? AND phys>? AND phys<?)") }, "\(plan)")
        }
    }
}
