import Foundation
import KHOFleet
import KHOLedger
import KHOTestSupport
import Testing

/// `push` copies ledgers into a real PostgreSQL store: several hosts,
/// incrementally, idempotently, with what --content says.
@Suite("Fleet push")
struct PushTests {
    @Test func severalHostsArePushedAndVerifyInTheStore() throws {
        let fleet = try FleetFixture()
        let ledgers = [("hv-a", try fleet.ledger("a.db", ["multi-generation.yaml"])),
                       ("hv-b", try fleet.ledger("b.db", ["memfd-luo.yaml"])),
                       ("hv-c", try fleet.ledger("c.db", ["kho-test-chain.yaml", "huge-pages.yaml"]))]
        for (host, path) in ledgers {
            let report = try fleet.push(path, host: host)
            #expect(report.ops == Int(try FleetFixture.ops(path)))
            #expect(report.head == (try Ledger(readingAt: path).head()))
        }
        let reports = try FleetStore(url: fleet.url).verify()
        #expect(reports.map(\.host) == ["hv-a", "hv-b", "hv-c"])
        for (report, (_, path)) in zip(reports, ledgers) {
            #expect(report.isIntact, "\(report)")
            #expect(report.checked == Int(try FleetFixture.ops(path)))
        }
        // Each host's ops, generations and objects are the ledger's.
        for (host, path) in ledgers {
            let ledger = try Ledger(readingAt: path)
            let generations = try ToolRunner.sqlite(path, "SELECT count(*) FROM generation").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try fleet.integer("SELECT count(*) FROM v_fleet_ops WHERE host = '\(host)'") == (try ledger.head()?.seq ?? -1))
            #expect(try fleet.integer("SELECT count(*) FROM v_fleet_generations WHERE host = '\(host)'") == Int64(generations))
            let objects = try ToolRunner.sqlite(path, "SELECT count(*) FROM object").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try fleet.integer("SELECT count(*) FROM v_fleet_objects WHERE host = '\(host)'") == Int64(objects))
            let ended = try ToolRunner.sqlite(path, "SELECT count(*) FROM object WHERE to_seq IS NOT NULL").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try fleet.integer("SELECT count(*) FROM v_fleet_objects WHERE host = '\(host)' AND to_seq IS NOT NULL") == Int64(ended))
        }
    }

    @Test func aSecondPushStoresNothing() throws {
        let fleet = try FleetFixture()
        let path = try fleet.ledger("a.db", ["multi-generation.yaml"])
        let first = try fleet.push(path, host: "hv-a")
        let counts = try fleet.rowCounts()
        let second = try fleet.push(path, host: "hv-a")
        #expect(first.ops == 62 && second.ops == 0 && second.batches == 0)
        #expect(second.head == first.head)
        #expect(try fleet.rowCounts() == counts)
    }

    @Test func aLaterPushStoresOnlyTheNewOperations() throws {
        let fleet = try FleetFixture()
        let path = try fleet.ledger("a.db", ["multi-generation.yaml"])
        let first = try fleet.push(path, host: "hv-a", batchSize: 7)
        #expect(first.ops == 62 && first.batches == 9)
        _ = try fleet.ledger("a.db", ["memfd-luo.yaml"])
        let total = try FleetFixture.ops(path)
        let second = try fleet.push(path, host: "hv-a", batchSize: 7)
        #expect(second.ops == Int(total - 62))
        #expect(second.head == (try Ledger(readingAt: path).head()))
        #expect(try fleet.integer("SELECT count(*) FROM op") == total)
        let verified = try FleetStore(url: fleet.url).verify(host: "hv-a")
        #expect(verified.first?.isIntact == true && verified.first?.checked == Int(total), "\(verified)")
    }

    @Test func fullContentStoresEachDistinctPageOnce() throws {
        let fleet = try FleetFixture()
        let path = try fleet.ledger("a.db", ["memfd-luo.yaml"])
        try fleet.push(path, host: "hv-a", content: .full)
        let distinct = try ToolRunner.sqlite(path, "SELECT count(DISTINCT data_id) FROM page_content").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try fleet.integer("SELECT count(*) FROM page_data") == Int64(distinct))
        #expect(try fleet.integer("SELECT count(*) FROM page_data WHERE sha256(bytes) <> hash") == 0)
        #expect(try fleet.integer("SELECT count(*) FROM page_content c LEFT JOIN page_data d USING (host_id, hash) WHERE d.hash IS NULL") == 0)
        #expect(try FleetStore(url: fleet.url).verify().allSatisfy(\.isIntact))
    }

    @Test func noContentKeepsHashesOnTheHostAndVerifiesLinks() throws {
        let fleet = try FleetFixture()
        let path = try fleet.ledger("a.db", ["memfd-luo.yaml"])
        try fleet.push(path, host: "hv-a", content: .none)
        #expect(try fleet.integer("SELECT count(*) FROM page_content") == 0)
        let withContents = try fleet.integer("SELECT count(*) FROM op WHERE contents > 0")
        #expect(withContents > 0)
        let report = try #require(try FleetStore(url: fleet.url).verify().first)
        #expect(report.isIntact && report.linkedOnly == Int(withContents))
        #expect(report.checked + report.linkedOnly == Int(try FleetFixture.ops(path)))
    }

    @Test func aHostKeepsTheContentOfItsFirstPush() throws {
        let fleet = try FleetFixture()
        let path = try fleet.ledger("a.db", ["multi-generation.yaml"])
        try fleet.push(path, host: "hv-a", content: .hashes)
        #expect(throws: FleetError.self) { try fleet.push(path, host: "hv-a", content: .full) }
        let result = try fleet.tool(["push", "--host", "hv-a", "--content", "full", "--ledger", path])
        #expect(result.status == 1)
        #expect(result.stderr == "error: host \"hv-a\" was pushed with --content hashes, not full: push it with --content hashes\n")
    }

    @Test func theSummaryAndFindingsOfEachHostAreStored() throws {
        let fleet = try FleetFixture()
        let path = try fleet.ledger("a.db", ["audit-leak.yaml"])
        let report = try fleet.push(path, host: "hv-a")
        let audit = try ToolRunner.run(["audit", "--ledger", path, "--format", "json"])
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])["findings"] as? [Any]
        #expect(report.findings == findings?.count)
        #expect(try fleet.integer("SELECT count(*) FROM v_fleet_leaks WHERE host = 'hv-a'") > 0)
        let generations = try ToolRunner.sqlite(path, "SELECT count(*) FROM generation").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try fleet.integer("SELECT count(*) FROM v_fleet_preserved WHERE host = 'hv-a'") == Int64(generations))
    }
}
