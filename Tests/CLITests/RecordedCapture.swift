import Foundation
import KHOTestSupport

/// A ledger with one recorded run of ``LedgerCrashTests/scenario``, the
/// scenario file and the capture (ELF core and root FDT) of its generation 0.
struct RecordedCapture {
    let directory: TemporaryDirectory
    let scenario: String
    let base: String
    let image: String
    let fdt: String

    init() throws {
        directory = try TemporaryDirectory()
        scenario = try directory.write("big.yaml", LedgerCrashTests.scenario)
        base = directory.path("base.db")
        image = directory.path("g0.elf")
        fdt = directory.path("g0.dtb")
        for arguments in [["simulate", scenario, "--quiet"], ["export", "--at", "gen:0", "--image", image, "--fdt", fdt]] {
            let result = try ToolRunner.run(arguments + ["--ledger", base])
            guard result.status == 0 else { throw FixtureError("\(arguments[0]) failed: \(result.stderr)") }
        }
    }

    /// `simulate` of the scenario and `import` of the capture.
    var recordings: [InterruptedRecording] {
        [InterruptedRecording(name: "simulate", arguments: ["simulate", scenario, "--quiet"], oneTransaction: false),
         InterruptedRecording(name: "import", arguments: ["import", "--fdt", fdt, "--image", image], oneTransaction: true)]
    }
}
