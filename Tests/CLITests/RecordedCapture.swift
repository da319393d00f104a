import Foundation
import KHOTestSupport

/// A ledger with one recorded run of a scenario (by default
/// ``LedgerCrashTests/scenario``), the scenario file, the run's event stream (JSON Lines) and the capture (ELF
/// core and root FDT) of its generation 0.
struct RecordedCapture {
    let directory: TemporaryDirectory
    let scenario: String
    let base: String
    let image: String
    let fdt: String
    let events: String

    init(scenario yaml: String = LedgerCrashTests.scenario) throws {
        directory = try TemporaryDirectory()
        scenario = try directory.write("big.yaml", yaml)
        base = directory.path("base.db")
        image = directory.path("g0.elf")
        fdt = directory.path("g0.dtb")
        events = directory.path("run.jsonl")
        for arguments in [["simulate", scenario, "--quiet", "--events", events], ["export", "--at", "gen:0", "--image", image, "--fdt", fdt]] {
            let result = try ToolRunner.run(arguments + ["--ledger", base])
            guard result.status == 0 else { throw FixtureError("\(arguments[0]) failed: \(result.stderr)") }
        }
    }

    /// `simulate` of the scenario, `import` of the capture and `record` of the event stream.
    var recordings: [InterruptedRecording] {
        [InterruptedRecording(name: "simulate", arguments: ["simulate", scenario, "--quiet"], oneTransaction: false, batch: 256),
         InterruptedRecording(name: "import", arguments: ["import", "--fdt", fdt, "--image", image], oneTransaction: true),
         InterruptedRecording(name: "record", arguments: ["record", events], oneTransaction: false)]
    }
}
