import Foundation
import KHOTestSupport
import Testing

/// `kholedger audit` on ledgers recorded by `kholedger simulate`: every
/// finding code from its example, the fixed stories, JSON, text, scopes
/// and the exit status (0 clean, 1 findings, 2 could not run).
@Suite("Audit command")
struct AuditCommandTests {
    /// Every code: those an example triggers, and those that need an altered ledger.
    static let everyCode = Set(AuditExample.all.map(\.code) + ["chain-break", "stored-bytes-altered", "view-altered", "corrupt-row"])

    /// Runs `audit --format json` with `arguments` and decodes the report.
    private func report(_ ledger: SimulatedLedger, _ arguments: [String] = [],
                        status: Int32, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try ledger.kholedger(["audit", "--format", "json"] + arguments)
        #expect(result.status == status, "\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    private func findings(_ report: [String: Any]) throws -> [[String: Any]] {
        try #require(report["findings"] as? [[String: Any]])
    }

    @Test(arguments: AuditExample.all)
    func exampleTriggersItsCodeAndTheFixedStoryDoesNot(_ example: AuditExample) throws {
        let ledger = try SimulatedLedger(example: example.file)
        let report = try report(ledger, status: 1)
        let all = try findings(report)
        let found = all.filter { $0["code"] as? String == example.code }
        #expect(found.count == example.count, "\(all)")
        for finding in all {
            #expect(Set(finding.keys) == ["code", "severity", "seq", "generation", "subject", "message"])
            #expect(["error", "warning"].contains(finding["severity"] as? String))
            #expect((finding["seq"] as? Int ?? 0) >= 1 && finding["generation"] is Int)
            #expect((finding["message"] as? String)?.contains("0x") == true)
        }
        #expect(report["errors"] as? Int == all.count { $0["severity"] as? String == "error" })
        #expect(report["warnings"] as? Int == all.count { $0["severity"] as? String == "warning" })
        #expect(report["through_seq"] as? Int == (try ledger.seqs()).last)

        let fixed = try SimulatedLedger(yaml: example.fixedYAML(), prefix: "audit-fixed")
        let result = try fixed.kholedger(["audit", "--format", "json"])
        let fixedFindings = try findings(try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]))
        #expect(!fixedFindings.contains { $0["code"] as? String == example.code }, "\(fixedFindings)")
        #expect(result.status == (fixedFindings.isEmpty ? 0 : 1))
    }

    @Test func aCleanLedgerExitsZero() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let last = try #require(try ledger.seqs().last)
        let text = try ledger.kholedger(["audit"])
        #expect(text.status == 0 && text.stderr.isEmpty)
        #expect(text.stdout.hasPrefix("clean: no findings in seqs 1…\(last) (checked: leak, unpreserve-unknown, "))
        let json = try report(ledger, status: 0)
        #expect(try findings(json).isEmpty)
        #expect(json["errors"] as? Int == 0 && json["warnings"] as? Int == 0)
        #expect(json["generation"] is NSNull)
        #expect(Set(json["checks"] as? [String] ?? []) == Self.everyCode)
    }

    @Test func textListsEveryFindingAndCountsThem() throws {
        let ledger = try SimulatedLedger(example: "audit-unpreserve.yaml")
        let last = try #require(try ledger.seqs().last)
        let result = try ledger.kholedger(["audit"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(result.stdout)")
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["seq", "gen", "severity", "code", "subject", "message"])
        #expect(lines[1].contains("error") && lines[1].contains("unpreserve-order-mismatch") && lines[1].contains("buffer"))
        #expect(lines[3].contains("warning") && lines[3].contains("unpreserve-unknown") && lines[3].contains("loose"))
        #expect(lines.last == "3 findings (2 errors, 1 warning) in seqs 1…\(last)")
    }

    @Test func atAndGenerationNarrowTheScope() throws {
        let ledger = try SimulatedLedger(example: "audit-double-preserve.yaml")
        let second = try #require(try ledger.seqs(["--kind", "preserve_folio"]).last)
        #expect(try findings(try report(ledger, ["--at", "\(second - 1)"], status: 0)).isEmpty)
        let atKexec = try report(ledger, ["--at", "gen:0"], status: 1)
        #expect(try findings(atKexec).map { $0["seq"] as? Int } == [second])
        #expect(atKexec["through_seq"] as? Int == (try ledger.seq(of: "kexec", generation: 0)))
        let gen1 = try report(ledger, ["--generation", "1"], status: 0)
        #expect(gen1["generation"] as? Int == 1)
        let gen0 = try ledger.kholedger(["audit", "--generation", "0"])
        #expect(gen0.status == 1 && gen0.stdout.contains("double-preserve") && gen0.stdout.hasSuffix(", generation 0\n"))
    }

    @Test func chainOnlyChecksTheHashChain() throws {
        let ledger = try SimulatedLedger(example: "audit-leak.yaml")
        let chain = try ledger.kholedger(["audit", "--chain"])
        #expect(chain.status == 0, "the leak is not a chain check: \(chain.stdout)")
        #expect(chain.stdout.contains("(checked: chain-break, stored-bytes-altered, view-altered, corrupt-row)"))

        #expect(try ToolRunner.sqlite(ledger.path, "UPDATE op SET args = '{}' WHERE seq = 5").status == 0)
        let broken = try report(ledger, ["--chain"], status: 1)
        #expect(try findings(broken).map { $0["code"] as? String } == ["chain-break"])
        #expect(try findings(broken).first?["seq"] as? Int == 5)
        #expect(try findings(try report(ledger, ["--chain", "--at", "4"], status: 0)).isEmpty)
        let everything = try findings(try report(ledger, status: 1)).compactMap { $0["code"] as? String }
        #expect(everything == ["chain-break", "leak"])
    }

    @Test(arguments: [
        (["--at", "soon"], "cannot read point in time \"soon\""),
        (["--at", "999"], "point 999 is outside the ledger"),
        (["--generation", "9"], "generation 9 cannot be audited: the ledger has generations 0…1"),
    ])
    func badScopeExitsTwo(arguments: [String], message: String) throws {
        let ledger = try SimulatedLedger(example: "audit-leak.yaml")
        let result = try ledger.kholedger(["audit"] + arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("error: audit could not run: \(message)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// `--help` lists every code with its severity; the README's findings
    /// table has the same rows.
    @Test func helpAndReadmeListEveryCode() throws {
        let help = try ToolRunner.run(["audit", "--help"])
        let codes = help.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let match = line.firstMatch(of: #/^([a-z-]+) \((error|warning)\): /#) else { return nil }
            return (String(match.1), String(match.2))
        }
        #expect(Set(codes.map(\.0)) == Self.everyCode && codes.count == Self.everyCode.count, "\(help.stdout)")
        let readme = try String(contentsOf: ReferenceVector.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for (code, severity) in codes {
            #expect(readme.contains("| `\(code)` | \(severity) | "), "README lacks \(code)")
        }
    }

    @Test func missingLedgerExitsTwo() throws {
        let directory = try TemporaryDirectory("audit-missing")
        let result = try ToolRunner.run(["audit", "--ledger", directory.path("absent.db")])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: audit could not run: no ledger at \(directory.path("absent.db"))"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("absent.db")))
    }
}
