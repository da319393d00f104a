import Foundation
import KHOTestSupport
import Testing

/// `audit --chain` prints the ledger's head (last seq and hash); `--head`
/// checks a kept head: a ledger that was cut short, or rewritten and
/// re-hashed up to it, is named in one finding and exit 1.
@Suite("Kept head")
struct KeptHeadTests {
    private func sqlite(_ ledger: SimulatedLedger, _ sql: String) throws -> String {
        let result = try ToolRunner.sqlite(ledger.path, sql)
        #expect(result.status == 0, "\(sql): \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The head `audit --chain` prints, from its last line.
    private func printedHead(_ ledger: SimulatedLedger) throws -> String {
        let result = try ledger.kholedger(["audit", "--chain"])
        #expect(result.status == 0, "\(result.stdout)")
        let last = try #require(result.stdout.split(separator: "\n").last)
        #expect(last.hasPrefix("head: "))
        return String(last.dropFirst("head: ".count))
    }

    @Test func headIsTheLastOperation() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let stored = try sqlite(ledger, "SELECT seq || ':' || lower(hex(hash)) FROM op ORDER BY seq DESC LIMIT 1")
        #expect(try printedHead(ledger) == stored)
        let json = try ledger.json(["audit", "--chain"])
        let head = try #require(json["head"] as? [String: Any])
        #expect("\(head["seq"] ?? "")" + ":" + "\(head["hash"] ?? "")" == stored)
        #expect(try ledger.kholedger(["audit", "--chain", "--head", stored]).status == 0)
    }

    /// `DELETE FROM op WHERE seq >= 40` with every row derived from those
    /// ops: the chain that is left is intact, the kept head names the cut.
    @Test func shorterLedgerIsNamed() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let kept = try printedHead(ledger)
        _ = try sqlite(ledger, """
            PRAGMA foreign_keys = OFF;
            DELETE FROM op_change WHERE seq >= 40; DELETE FROM boot_memory WHERE seq >= 40;
            DELETE FROM object_extent WHERE object_id IN (SELECT id FROM object WHERE from_seq >= 40);
            DELETE FROM chunk WHERE object_id IN (SELECT id FROM object WHERE from_seq >= 40);
            DELETE FROM object WHERE from_seq >= 40; DELETE FROM subtree WHERE from_seq >= 40;
            DELETE FROM preserved_run WHERE from_seq >= 40; DELETE FROM page_content WHERE from_seq >= 40;
            UPDATE object SET to_seq = NULL WHERE to_seq >= 40; UPDATE subtree SET to_seq = NULL WHERE to_seq >= 40;
            UPDATE preserved_run SET to_seq = NULL WHERE to_seq >= 40; UPDATE page_content SET to_seq = NULL WHERE to_seq >= 40;
            DELETE FROM generation WHERE boot_seq >= 40;
            UPDATE generation SET kexec_seq = NULL, root_fdt = NULL WHERE kexec_seq >= 40;
            DELETE FROM op WHERE seq >= 40;
            """)
        #expect(try printedHead(ledger).hasPrefix("39:"), "without the kept head the cut ledger looks whole")
        let result = try ledger.kholedger(["audit", "--chain", "--head", kept])
        #expect(result.status == 1)
        let findings = result.stdout.split(separator: "\n").filter { $0.contains("chain-break") }
        #expect(findings.count == 1)
        #expect(findings.first?.contains("kept head") == true)
        #expect(findings.first?.contains("the ledger ends at seq 39, before the kept head \(kept): operations 40…") == true, "\(result.stdout)")
    }

    /// `DELETE FROM op WHERE seq >= 40` alone: the rows those ops ended
    /// still say so, and no op's hash covers their ends.
    @Test func cutWithoutItsDerivedRowsIsABreak() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        _ = try sqlite(ledger, "PRAGMA foreign_keys = OFF; DELETE FROM op WHERE seq >= 40")
        let result = try ledger.kholedger(["audit", "--chain"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("chain-break") && result.stdout.contains("is after the last operation (39)"), "\(result.stdout)")
    }

    /// A ledger rewritten and re-hashed: its chain is intact, the kept
    /// head's op has another hash.
    @Test func rewrittenHeadIsNamed() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let kept = try printedHead(ledger)
        let seq = try #require(kept.split(separator: ":").first)
        _ = try sqlite(ledger, "UPDATE op SET hash = zeroblob(32) WHERE seq = \(seq)")
        let result = try ledger.kholedger(["audit", "--chain", "--head", kept, "--format", "json"])
        #expect(result.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        let head = try #require(findings.first { $0["subject"] as? String == "kept head" })
        #expect(head["message"] as? String
            == "operation \(seq) has hash \(String(repeating: "0", count: 64)), not the kept head's \(kept.dropFirst(seq.count + 1)): "
                + "the ledger was rewritten at or before seq \(seq)")
    }

    @Test(arguments: ["40", "40:abc", "0:" + String(repeating: "0", count: 64), "x:" + String(repeating: "0", count: 64),
                      "4:" + String(repeating: "g", count: 64)])
    func malformedHeadIsAUsageError(value: String) throws {
        let ledger = try SimulatedLedger(example: "audit-leak.yaml")
        let result = try ledger.kholedger(["audit", "--chain", "--head", value])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--head"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
