import Foundation
import KHOTestSupport
import Testing

/// SIGKILL at random moments during `simulate` and `record` (batched
/// transactions) and `import` (one transaction) leaves a ledger that opens, passes
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

    @Test func killedSimulateImportAndRecordLeaveWholePrefixes() throws {
        // The import is of generation 0's exported handover: about 3,300 operations in one transaction.
        let fixture = try RecordedCapture()
        let recordings = zip(fixture.recordings, [20, 16, 16])
        var kills = 0
        for (index, (recording, wanted)) in recordings.enumerated() {
            let harness = try CrashHarness(recording, base: fixture.base, in: fixture.directory)
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
