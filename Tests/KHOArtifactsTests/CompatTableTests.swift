import Foundation
import KHOABI
import KHOMachine
import KHOReplay
import KHOTestSupport
import Testing

/// The table of `docs/kernel-releases.md` that says which release takes
/// which example's first handover is what `compat` answers: every example
/// under every release its ops run on, against every target release.
/// `KHO_WRITE_DOCS=1` rewrites the table from the answers.
@Suite("compat table in the docs")
struct CompatTableTests {
    static let begin = "<!-- compat-table -->"
    static let end = "<!-- /compat-table -->"

    @Test func docsTableIsWhatCompatAnswers() throws {
        let docs = ReferenceVector.packageRoot.appendingPathComponent("docs/kernel-releases.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin), "the docs lack \(Self.begin)")
        let stop = try #require(text.range(of: Self.end), "the docs lack \(Self.end)")
        let table = try Self.table()
        if ProcessInfo.processInfo.environment["KHO_WRITE_DOCS"] == "1" {
            try (String(text[..<start.upperBound]) + "\n" + table + String(text[stop.lowerBound...]))
                .write(to: docs, atomically: true, encoding: .utf8)
        }
        let documented = text[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(documented == table.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// One row per example and release it runs on; `yes` where the target
    /// release refuses nothing of the first handover (`gen:0`).
    static func table() throws -> String {
        let targets = KernelRelease.allCases
        var lines = ["| handover | " + targets.map(\.rawValue).joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: targets.count)]
        let names = try FileManager.default.contentsOfDirectory(atPath: ToolRunner.examples.path).filter { $0.hasSuffix(".yaml") }.sorted()
        for name in names {
            let example = try Scenario(contentsOfFile: ToolRunner.examples.appendingPathComponent(name).path)
            for release in example.releases {
                var scenario = example
                scenario.machine.kernel = release
                let simulated = try SimulatedLedgerFile(scenario)
                let seq = try simulated.seq("gen:0")
                let answers = try targets.map { target in
                    try HandoverCompatibility(target: target, ledger: simulated.ledger, seq: seq).isAccepted ? "yes" : "no"
                }
                let override = scenario.machine.abiOverride.map { " (abi \($0.rawValue))" } ?? ""
                lines.append("| `\(name)`\(override) on \(release) | " + answers.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
