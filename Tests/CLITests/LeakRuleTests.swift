import Foundation
import KHOTestSupport
import Testing

/// The leak rule is one view, `v_handed_over`: on every example, `audit`'s
/// leak findings and `report leaks` name the same blocks. A replaced or
/// dropped view is an `audit --chain` finding, and the leak check and the
/// canned reports refuse it instead of printing its rows.
@Suite("The leak rule, once")
struct LeakRuleTests {
    static var examples: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: ToolRunner.examples.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test(arguments: examples)
    func auditAndReportAgree(example: String) throws {
        try Self.expectAgreement(try SimulatedLedger(example: example), example)
    }

    /// A trace whose restore claims a block's head at another order than it
    /// was preserved at (the restore's own split; 7.1+ check only the
    /// magic): the block is claimed, for the audit and the report alike.
    @Test func aRestoreAtAnotherOrderClaimsTheBlock() throws {
        let directory = try TemporaryDirectory()
        let events = directory.path("events.jsonl")
        let run = try ToolRunner.run(["simulate", ToolRunner.examples.appendingPathComponent("audit-restore-order.yaml").path,
                                      "--events", events, "--no-ledger", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        var lines: [String] = []
        for line in try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n") {
            var event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if event["kind"] as? String == "restore_vmalloc", var restored = event["restored"] as? [[String: Any]] {
                for i in restored.indices where restored[i]["order"] as? Int == 8 { restored[i]["order"] = 9 }
                event["restored"] = restored
            }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: events, atomically: true, encoding: .utf8)
        let ledger = SimulatedLedger(directory: directory, path: directory.path("trace.db"))
        let record = try ledger.kholedger(["record", events])
        #expect(record.status == 0, "\(record.stderr)")
        let rows = try Self.expectAgreement(ledger, "trace")
        #expect(rows.map { $0["phys"] as? String } == ["0x101b00000", "0x102b55000"], "the order-9 restore claimed 0x101a00000")
    }

    /// Expects `audit`'s leak findings and `report leaks` to name the same
    /// blocks; returns the report's rows.
    @discardableResult
    static func expectAgreement(_ ledger: SimulatedLedger, _ label: String) throws -> [[String: Any]] {
        let audit = try ledger.kholedger(["audit", "--format", "json"])
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])["findings"] as? [[String: Any]]
        let leaks = try #require(findings).filter { $0["code"] as? String == "leak" }
        let report = try ledger.kholedger(["report", "leaks", "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [[String: Any]])
        let byGeneration = Dictionary(grouping: rows) { $0["generation"] as? Int ?? -1 }
        #expect(Set(byGeneration.keys) == Set(leaks.compactMap { $0["generation"] as? Int }), "\(label)")
        for leak in leaks {
            let generation = try #require(leak["generation"] as? Int)
            let message = try #require(leak["message"] as? String)
            let blocks = try #require(byGeneration[generation])
            let count = blocks.count == 1 ? "1 block " : "\(blocks.count) blocks "
            #expect(message.contains("handed over \(count)"), "\(label): \(message) vs \(blocks.count) rows")
            #expect(message.contains(try #require(blocks.first?["phys"] as? String)), "\(label): \(message)")
        }
        return rows
    }

    @Test func aReplacedViewIsFoundAndRefused() throws {
        let ledger = try SimulatedLedger(example: "audit-leak.yaml")
        let forged = """
            DROP VIEW v_handed_over;
            CREATE VIEW v_handed_over AS SELECT 0 AS generation, 1 AS next_generation, '0x1' AS phys, 1 AS pfn,
                0 AS "order", 4096 AS bytes, 1 AS preserved_seq, 2 AS claimed_seq, NULL AS kho_own;
            DROP VIEW v_chunks;
            """
        #expect(try ToolRunner.sqlite(ledger.path, forged).status == 0)
        let chain = try ledger.kholedger(["audit", "--chain", "--format", "json"])
        #expect(chain.status == 1)
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(chain.stdout.utf8)) as? [String: Any])["findings"] as? [[String: Any]]
        #expect(findings?.map { $0["code"] as? String } == ["view-altered", "view-altered"])
        #expect(findings?.map { $0["message"] as? String } == ["view v_chunks is missing: it was dropped",
                                                              "view v_handed_over is not kholedger's definition: it was replaced"])
        let audit = try ledger.kholedger(["audit"])
        #expect(audit.status == 2)
        #expect(audit.stderr.hasSuffix("view v_chunks is missing: it was dropped; `kholedger audit --chain` lists what was altered\n")
                    || audit.stderr.contains("view v_handed_over is not kholedger's definition"), "\(audit.stderr)")
        let report = try ledger.kholedger(["report", "leaks"])
        #expect(report.status != 0 && report.stdout.isEmpty)
        #expect(report.stderr.contains("view v_chunks is missing: it was dropped; `kholedger audit --chain` lists what was altered"), "\(report.stderr)")
    }

    /// `v_handed_over` reads the block views of migration 0010: the leak
    /// check refuses a ledger whose block view was replaced, as it refuses a
    /// replaced `v_handed_over`, instead of finding no leak.
    @Test func aReplacedBlockViewUnderTheRuleIsRefused() throws {
        let ledger = try SimulatedLedger(example: "audit-leak.yaml")
        let forged = """
            DROP VIEW preserved_run_block;
            CREATE VIEW preserved_run_block AS SELECT id, generation, from_seq, to_seq, 0 AS i, phys, ord, 4096 AS size FROM preserved_run WHERE 0;
            """
        #expect(try ToolRunner.sqlite(ledger.path, forged).status == 0)
        let audit = try ledger.kholedger(["audit"])
        #expect(audit.status == 2 && audit.stdout.isEmpty, "\(audit.stdout)")
        #expect(audit.stderr.hasSuffix("view preserved_run_block is not kholedger's definition: it was replaced; "
                    + "`kholedger audit --chain` lists what was altered\n"), "\(audit.stderr)")
    }
}
