import Foundation
import Testing
@testable import KHOMachine

/// Machine events a scenario run sent to its sink.
final class ScenarioEventLog {
    var events: [MachineEvent] = []
}

/// The files in `Examples/`, found from this source file.
enum ScenarioExamples {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples")

    /// Every `*.yaml` file in `Examples/`, sorted.
    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// Runs an example, counting the events its sink receives.
    static func run(_ name: String) throws -> (summary: ScenarioSummary, events: [MachineEvent]) {
        let scenario = try Scenario(contentsOfFile: directory.appendingPathComponent(name).path)
        let log = ScenarioEventLog()
        let summary = try ScenarioRunner(scenario) { log.events.append($0) }.run()
        return (summary, log.events)
    }
}

@Suite("Scenario examples")
struct ScenarioExampleTests {
    @Test func theRequiredExamplesExist() {
        let required = ["memfd-luo.yaml", "kho-test.yaml", "chunk-exact.yaml", "huge-pages.yaml",
                        "multi-generation.yaml", "errors.yaml", "page-16k.yaml", "page-64k.yaml"]
        #expect(Set(required).isSubset(of: Set(ScenarioExamples.files)), "found \(ScenarioExamples.files)")
    }

    @Test(arguments: ScenarioExamples.files)
    func exampleRunsGreen(_ name: String) throws {
        let (summary, events) = try ScenarioExamples.run(name)
        #expect(summary.totals.steps == summary.steps.count)
        #expect(summary.totals.steps > 0)
        #expect(summary.totals.events == events.count, "every event reaches the sink")
        #expect(summary.steps.allSatisfy { $0.outcome == .ok || !$0.step.expect.matches(.ok) })
    }

    @Test func errorsExampleCoversEveryErrnoPath() throws {
        let outcomes = Set(try ScenarioExamples.run("errors.yaml").summary.steps.map(\.outcomeName))
        for wanted in ["EINVAL", "EOPNOTSUPP", "E2BIG", "EEXIST", "ENOENT", "ENOMEM", "NULL"] {
            #expect(outcomes.contains(wanted), "errors.yaml never ends in \(wanted)")
        }
    }

    @Test func chunkExampleUsesTwoChunksFor511Pages() throws {
        let steps = try ScenarioExamples.run("chunk-exact.yaml").summary.steps
        func chunks(_ op: ScenarioOp.Name, _ subject: String) -> [Int] {
            steps.filter { $0.step.op.name == op && $0.subject == subject }
                .compactMap { $0.facts.first { $0.name == "chunks" } }
                .compactMap { if case .count(let n) = $0.value { return n } else { return nil } }
        }
        #expect(chunks(.preserveVmalloc, "exact") == [2])
        #expect(chunks(.restoreVmalloc, "exact") == [2])
        #expect(chunks(.preserveVmalloc, "under") == [1])
        #expect(chunks(.restoreVmalloc, "double") == [3])
    }

    @Test func multiGenerationExampleKexecsAtLeastThreeTimes() throws {
        let summary = try ScenarioExamples.run("multi-generation.yaml").summary
        #expect(summary.totals.kexecs >= 3)
        #expect(Set(summary.steps.filter { $0.step.op.name == .check }.map(\.generation)) == [0, 1, 2, 3])
    }
}
