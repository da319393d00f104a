import Foundation
import KHOTestSupport
import Testing

/// Every SQL example in the README runs with the sqlite3 shell on a ledger
/// made by `simulate` and returns rows.
@Suite("README SQL examples")
struct ReadmeQueryTests {
    @Test func everyExampleQueryReturnsRows() throws {
        let readme = try String(contentsOf: ReferenceVector.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let queries = readme.components(separatedBy: "```sql\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(queries.count >= 7)

        let directory = try TemporaryDirectory()
        let ledger = directory.path("readme.db")
        let scenario = ToolRunner.examples.appendingPathComponent("multi-generation.yaml").path
        #expect(try ToolRunner.run(["simulate", scenario, "--ledger", ledger, "--quiet"]).status == 0)
        for query in queries {
            let result = try ToolRunner.sqlite(ledger, query, options: ["-cmd", ".param set :seq 20"])
            #expect(result.status == 0, "\(query): \(result.stderr)")
            #expect(result.stderr.isEmpty, "\(query): \(result.stderr)")
            #expect(!result.stdout.isEmpty, "no rows: \(query)")
        }
    }
}
