import Foundation
import KHOTestSupport
import Testing

/// SIGKILL at random moments during `simulate` (batched transactions) and
/// `import` (one transaction) leaves a ledger that opens, passes
/// integrity_check and the hash-chain audit, holds a prefix of whole
/// operations of the uninterrupted run (for import: none or all of it), and
/// accepts more recording. Each recording command is one
/// ``InterruptedRecording`` entry.
@Suite("Ledger crash consistency", .serialized)
struct LedgerCrashTests {
    /// About 1,200 operations: five batches of 256.
    static let scenario = """
        machine: {memory: 512MiB, seed: 4}
        steps:
          - vmalloc: {name: "a{i}", size: 16KiB, fill: random}
            repeat: 300
          - alloc_preserve: {size: 16, as: "d{i}"}
            repeat: 300
          - preserve_vmalloc: {area: "a{i}", descriptor: "d{i}"}
            repeat: 300
          - add_subtree: {name: "s{i}", blob: "d{i}", size: 16}
            repeat: 20
          - kexec
        """

    @Test func killedSimulateAndImportLeaveWholePrefixes() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("big.yaml", Self.scenario)
        let base = directory.path("base.db")
        let first = try ToolRunner.run(["simulate", file, "--ledger", base, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        // The capture: generation 0's handover, exported (about 3,300 operations when imported).
        let image = directory.path("g0.elf"), fdt = directory.path("g0.dtb")
        let export = try ToolRunner.run(["export", "--at", "gen:0", "--image", image, "--fdt", fdt, "--ledger", base])
        #expect(export.status == 0, "\(export.stderr)")

        let recordings = [
            (InterruptedRecording(name: "simulate", arguments: ["simulate", file, "--quiet"], oneTransaction: false), 28),
            (InterruptedRecording(name: "import", arguments: ["import", "--fdt", fdt, "--image", image], oneTransaction: true), 24),
        ]
        var kills = 0
        for (index, (recording, wanted)) in recordings.enumerated() {
            let harness = try CrashHarness(recording, base: base, in: directory)
            #expect(harness.reference.count > 1000)
            let tally = try harness.run(kills: wanted, perLedger: 4, seed: 0x6B686F + UInt64(index))
            print("crash harness, \(recording.name): \(tally)")
            #expect(tally.kills == wanted)
            #expect(tally.partial > 0 || recording.oneTransaction, "no kill landed while operations were being committed")
            kills += tally.kills
        }
        #expect(kills >= 50)
    }
}
