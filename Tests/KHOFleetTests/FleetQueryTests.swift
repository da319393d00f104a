import Foundation
import KHOFleet
import KHOReport
import KHOTestSupport
import Testing

/// `fleet sql` and `fleet report` read the store as kholedger_reader, in a
/// read-only transaction.
@Suite("Fleet queries")
struct FleetQueryTests {
    @Test(arguments: [
        "INSERT INTO host (name, content) VALUES ('x', 'none')",
        "UPDATE host SET head_seq = 0",
        "DELETE FROM op",
        "CREATE TABLE x (a int)",
        "SELECT 1; DELETE FROM op",
        "COPY op TO '/tmp/op.txt'",
    ])
    func writesAreRefused(sql: String) throws {
        let fleet = try FleetFixture()
        try fleet.push(try fleet.ledger("a.db", ["multi-generation.yaml"]), host: "hv-a")
        let counts = try fleet.rowCounts()
        let result = try fleet.tool(["fleet", "sql", sql])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: fleet store refused a statement: "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try fleet.rowCounts() == counts)
        #expect(try fleet.integer("SELECT head_seq FROM host") == 62)
    }

    @Test func parametersBindAndCastsStay() throws {
        let fleet = try FleetFixture()
        try fleet.push(try fleet.ledger("a.db", ["multi-generation.yaml"]), host: "hv-a")
        let store = try FleetStore(url: fleet.url)
        let result = try store.query("SELECT count(*)::bigint AS n, ':x' AS text FROM v_fleet_ops WHERE host = :host AND seq <= :seq",
                                     parameters: [SQLParameter(name: "host", value: .text("hv-a")), SQLParameter(name: "seq", value: .integer(10))])
        #expect(result.columns == ["n", "text"])
        #expect(result.rows == [[.integer(10), .text(":x")]])
        #expect(throws: FleetError.self) { try store.query("SELECT 1", parameters: [SQLParameter(name: "unused", value: .integer(1))]) }
    }

    @Test func theReportsRunAndTheHTMLHasEachOne() throws {
        let fleet = try FleetFixture()
        try fleet.push(try fleet.ledger("a.db", ["multi-generation.yaml"]), host: "hv-a")
        try fleet.push(try fleet.ledger("b.db", ["audit-leak.yaml"]), host: "hv-b")
        let store = try FleetStore(url: fleet.url)
        let names = try FleetReports.all().map(\.name)
        #expect(names == ["findings", "hosts", "kernel-pairs", "over-limit", "releases"])
        let hosts = try store.report("hosts")
        #expect(hosts.rows.count == 2)
        let over = try store.report("over-limit", parameters: [SQLParameter(name: "preserved_bytes", value: .integer(0))])
        #expect(over.rows.count == 2 && over.rows.allSatisfy { $0.last == .text("preserved_bytes") }, "\(over)")
        #expect(try store.report("over-limit").rows.isEmpty)
        let findings = try store.report("findings")
        #expect(findings.rows.map { $0.first } == [.text("hv-b")])
        let html = try fleet.tool(["fleet", "report", "--html", "fleet.html"])
        #expect(html.status == 0, "\(html.stderr)")
        let page = try String(contentsOfFile: fleet.folder.path("fleet.html"), encoding: .utf8)
        for name in names { #expect(page.contains("id=\"\(name)\""), "\(name)") }
        // The chart: a bar per host, the largest as wide as the plot.
        #expect(page.contains("id=\"preserved\"") && page.components(separatedBy: "<rect ").count == 3)
        #expect(page.contains("hv-b"))
    }

    @Test func thePusherRolePushesAndTheReaderRoleOnlyReads() throws {
        let fleet = try FleetFixture()
        let path = try fleet.ledger("a.db", ["multi-generation.yaml"])
        try FleetStore(url: fleet.url).migrate()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let (pusher, analyst) = ("pusher_\(suffix)", "analyst_\(suffix)")
        try PostgresTestServer.psql(fleet.url, "CREATE ROLE \(pusher) LOGIN IN ROLE kholedger_pusher")
        try PostgresTestServer.psql(fleet.url, "CREATE ROLE \(analyst) LOGIN IN ROLE kholedger_reader")
        func url(as role: String) -> String { fleet.url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(role)@") }

        let pushed = try ToolRunner.run(["push", "--host", "hv-a", "--ledger", path, "--to", url(as: pusher)])
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let read = try ToolRunner.run(["fleet", "sql", "SELECT count(*) AS ops FROM v_fleet_ops", "--to", url(as: analyst), "--format", "csv"])
        #expect(read.status == 0 && read.stdout == "ops\n62\n", "\(read.stdout) \(read.stderr)")
        let verified = try ToolRunner.run(["fleet", "verify", "--to", url(as: analyst)])
        #expect(verified.status == 0, "\(verified.stderr)")
        let refused = try ToolRunner.run(["push", "--host", "hv-b", "--ledger", path, "--to", url(as: analyst)])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("error: fleet store refused a statement: permission denied"), "\(refused.stderr)")
        #expect(try fleet.integer("SELECT count(*) FROM host") == 1)
    }

    @Test func aStoreWithoutTheSchemaNamesMigrate() throws {
        let fleet = try FleetFixture()
        let result = try fleet.tool(["fleet", "sql", "SELECT 1"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: the fleet store lacks the schema migrations 0001_fleet: run `kholedger fleet migrate`"),
                "\(result.stderr)")
    }

    @Test func anUnreachableStoreIsOneLine() throws {
        let result = try ToolRunner.run(["fleet", "hosts", "--to", "postgresql://nobody@127.0.0.1:1/none"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: cannot connect to the fleet store postgresql://nobody@127.0.0.1:1/none: "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        let bad = try ToolRunner.run(["fleet", "hosts", "--to", "mysql://x"])
        #expect(bad.stderr == "error: mysql://x is not a fleet store URL: it must start with postgresql:// (postgresql://USER@HOST:PORT/DATABASE)\n")
    }
}
