import Foundation
import KHOLedger
import KHOMachine
import KHOReplay
import KHOTestSupport

/// A scenario of `Examples/` (or YAML text) run in-process and recorded
/// into a ledger file in a fresh directory.
struct SimulatedLedgerFile {
    let directory: TemporaryDirectory
    let ledger: Ledger

    init(example: String) throws {
        try self.init(Scenario(contentsOfFile: ToolRunner.examples.appendingPathComponent(example).path))
    }

    init(yaml: String) throws {
        try self.init(Scenario(yaml: yaml))
    }

    init(_ scenario: Scenario) throws {
        directory = try TemporaryDirectory("kholedger-export")
        ledger = try Ledger(path: directory.path("simulated.db"))
        let recorder = try LedgerRecorder(ledger: ledger, config: scenario.machine)
        _ = try ScenarioRunner(scenario, onEvent: recorder.eventSink).run()
        try recorder.flush()
        if let failure = recorder.failure { throw failure }
    }

    /// The seq `point` (`gen:G`, `gen:G+K`, …) stands for.
    func seq(_ point: String) throws -> Int64 { try PointInTime(parsing: point).resolve(in: ledger).seq }
}
