import Foundation
import KHOTestSupport
import Testing

/// Scenarios beyond the emulator's documented limits are refused in one
/// line before anything runs, instead of aborting on an allocation or
/// running for minutes.
@Suite("simulate: scenario limits")
struct ScenarioLimitTests {
    @Test(arguments: [
        ("machine:\n  memory: 1024TiB\nsteps:\n  - vmalloc: {name: a, size: 4KiB}\n",
         "error: machine: invalid machine configuration: memory size 1048576 GiB is above the emulator's limit of 4 TiB (it keeps a bit per page frame and every page written)"),
        ("steps:\n  - vmalloc: {name: a, size: 4KiB}\n  - check: {area: a, offset: 0, length: 4KiB, zero: true}\n    repeat: 10000000\n",
         "error: line 4, steps[2].repeat: invalid value \"10000000\": must be in 1...1000000"),
        ("steps:\n  - vmalloc: {name: a, size: 4KiB}\n  - check: {area: a, offset: 0, length: 4KiB, zero: true}\n    repeat: 2\n"
            + "  - check: {area: a, offset: 0, length: 4KiB, zero: true}\n    repeat: 999999\n",
         "error: line 5, steps[3].repeat: invalid value \"999999\": the scenario would run more than 1000000 steps (repeats counted); split it into several runs"),
    ])
    func refusedBeforeRunning(yaml: String, expected: String) throws {
        let directory = try TemporaryDirectory()
        let ledger = directory.path("new.db")
        let result = try ToolRunner.run(["simulate", try directory.write("big.yaml", yaml), "--ledger", ledger], timeout: 60)
        #expect(!result.timedOut && !result.signaled)
        #expect(result.status == 1)
        #expect(result.stderr == expected + "\n")
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }
}
