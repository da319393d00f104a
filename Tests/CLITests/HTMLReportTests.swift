import Foundation
import KHOTestSupport
import Testing

/// `kholedger report --html`: one self-contained file with a memory map per
/// generation, every ledger name escaped.
@Suite("HTML report")
struct HTMLReportTests {
    /// Writes the report of `ledger` with `arguments` and returns its text.
    private func html(_ ledger: SimulatedLedger, _ arguments: [String] = []) throws -> String {
        let path = ledger.directory.path("report.html")
        let result = try ledger.kholedger(["report", "--html", path] + arguments)
        #expect(result.status == 0 && result.stdout.isEmpty, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("wrote \(path): "))
        #expect(temporarySiblings(of: path).isEmpty)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func namesFromTheLedgerAreEscaped() throws {
        let ledger = try SimulatedLedger(yaml: """
            machine: {memory: 64MiB}
            steps:
              - alloc_preserve: {size: 64, as: "<b>blob&"}
              - add_subtree: {name: "<script>alert(1)</script>", blob: "<b>blob&"}
              - kexec
            """)
        let subtrees = try ToolRunner.sqlite(ledger.path, "SELECT DISTINCT name FROM v_subtrees WHERE name <> 'kexec-metadata'").stdout
        #expect(subtrees == "<script>alert(1)</script>\n")

        let page = try html(ledger)
        #expect(!page.contains("<script"))
        #expect(!page.contains("<b>"))
        #expect(page.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"))
        #expect(page.contains("<td>&lt;b&gt;blob&amp;</td>"))
        #expect(page.contains(": blob &lt;b&gt;blob&amp;, never claimed by the next generation; 4 KiB preserved of 8 KiB</title>"))
    }

    @Test func drawsEveryGenerationSelfContained() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let page = try html(ledger)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"))
        for anchor in ["summary", "memory", "timeline", "orders", "subsystems"] { #expect(page.contains("<section id=\"\(anchor)\">")) }
        #expect((0...3).allSatisfy { page.contains("<h3 id=\"memory-\($0)\">Generation \($0): 256 MiB at 0x100000000, 8 pages (32 KiB) per cell</h3>") })
        #expect(page.components(separatedBy: "<h3 id=\"memory-").count - 1 == 4)
        #expect(page.components(separatedBy: "http://").count == page.components(separatedBy: "http://www.w3.org/2000/svg").count)
        #expect(!page.contains("https:"))
        #expect(!page.contains("<script") && !page.contains("<img") && !page.contains("<link"))

        // Nothing leaked here (KHO's own root FDT pages are not leaks), so nothing is red; the audit is clean.
        #expect(try ledger.kholedger(["report", "leaks", "--format", "csv"]).stdout.split(separator: "\n").count == 1)
        #expect(!page.contains("fill=\"#d62728\""))
        #expect(page.contains("<section id=\"audit\">") && page.contains("kholedger audit found nothing: every check passed."))
        #expect(page.contains(": vmalloc journal; 2 MiB preserved of 2 MiB</title>"))
        #expect(page.contains("<title>generation 0, order 9: 2 blocks of 2 MiB</title>"))
    }

    /// A leaked blob is drawn red and listed with the audit's findings.
    @Test func leaksAreRedAndFindingsListed() throws {
        let ledger = try SimulatedLedger(example: "audit-leak.yaml")
        let page = try html(ledger)
        let leaked = try ledger.kholedger(["report", "leaks", "--format", "csv"]).stdout.split(separator: "\n").count - 1
        #expect(leaked == 1)
        #expect(page.components(separatedBy: "fill=\"#d62728\"").count - 1 == leaked)
        let audit = try ledger.kholedger(["audit", "--format", "json"])
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])["findings"] as? [[String: Any]]
        #expect(findings?.count == 1)
        for finding in findings ?? [] {
            #expect(page.contains("<td>\(finding["code"] as? String ?? "?")</td><td>\(finding["severity"] as? String ?? "?")</td>"))
        }
    }

    @Test func generationsChooseWhatIsDrawn() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let page = try html(ledger, ["--generation", "1", "--generation", "3"])
        #expect(page.components(separatedBy: "<h3 id=\"memory-").count - 1 == 2)
        #expect(page.contains("<h3 id=\"memory-1\">") && page.contains("<h3 id=\"memory-3\">") && !page.contains("<h3 id=\"memory-0\">"))
        #expect(page.contains("4 generations") == false && page.contains(", 2 generations</p>"))

        let bad = try ledger.kholedger(["report", "--html", ledger.directory.path("bad.html"), "--generation", "7"])
        #expect(bad.status == 1 && bad.stderr == "error: generation 7 is not in the ledger: its generations are 0…3\n")
        #expect(!FileManager.default.fileExists(atPath: ledger.directory.path("bad.html")))
        let unwritable = try ledger.kholedger(["report", "--html", ledger.directory.path("missing/dir/report.html")])
        #expect(unwritable.status == 1 && unwritable.stderr.split(separator: "\n").count == 1 && unwritable.stderr.contains("missing/dir/report.html"))
    }
}
