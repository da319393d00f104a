import Foundation
import KHOFleet
import KHOLedger
import KHOTestSupport

/// A fleet test's world: a folder for ledgers and an empty store of its own.
final class FleetFixture {
    let folder: TemporaryDirectory
    /// The store's URL (a database of its own on the test server).
    let url: String

    init(url: String? = nil) throws {
        folder = try TemporaryDirectory("fleet")
        self.url = try url ?? PostgresTestServer.database()
    }

    /// A ledger recorded from `scenarios` (files of Examples/), simulated one
    /// after the other into it; its path.
    func ledger(_ name: String, _ scenarios: [String]) throws -> String {
        let path = folder.path(name)
        for scenario in scenarios {
            let result = try ToolRunner.run(["simulate", ToolRunner.examples.appendingPathComponent(scenario).path, "--ledger", path, "--quiet"])
            guard result.status == 0 else { throw FixtureError("simulate \(scenario): \(result.stderr)") }
        }
        return path
    }

    /// Pushes the ledger at `path` as host `host` through the API.
    @discardableResult
    func push(_ path: String, host: String, content: FleetContent = .hashes, audit: Bool = true, batchSize: Int = 10_000) throws -> PushReport {
        try FleetStore(url: url).push(Ledger(readingAt: path), host: host, content: content, audit: audit, batchSize: batchSize)
    }

    /// Runs `kholedger ARGUMENTS` with this store as `$KHOLEDGER_FLEET`.
    func tool(_ arguments: [String], timeout: TimeInterval = 300) throws -> ToolResult {
        try ToolRunner.run(arguments, environment: ["KHOLEDGER_FLEET": url], directory: folder.url, timeout: timeout)
    }

    /// One integer a query on the store returns.
    func integer(_ sql: String) throws -> Int64 {
        let text = try PostgresTestServer.psql(url, sql).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int64(text) else { throw FixtureError("\(sql) returned \(text)") }
        return value
    }

    /// The rows of every chain table the store holds, table by table.
    func rowCounts() throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for table in ["op", "op_change", "object", "object_extent", "chunk", "page_content", "page_data", "subtree", "boot_memory",
                      "generation", "handover", "content_end", "object_end", "subtree_end"] {
            counts[table] = try integer("SELECT count(*) FROM \(table)")
        }
        return counts
    }

    /// The ops of the ledger at `path`.
    static func ops(_ path: String) throws -> Int64 {
        try Ledger(readingAt: path).head()?.seq ?? 0
    }
}
