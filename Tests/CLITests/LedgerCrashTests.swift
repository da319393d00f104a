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
    static let scenario = scenario(areas: 300, subtrees: 20, memory: "512MiB", seed: 4)

    /// A scenario that preserves `areas` vmalloc areas of 16 KiB with their
    /// descriptors, adds `subtrees` subtrees and kexecs: about 4 operations
    /// per area.
    static func scenario(areas: Int, subtrees: Int, memory: String, seed: Int) -> String {
        """
        machine: {memory: \(memory), seed: \(seed)}
        steps:
          - vmalloc: {name: "a{i}", size: 16KiB, fill: random}
            repeat: \(areas)
          - alloc_preserve: {size: 16, as: "d{i}"}
            repeat: \(areas)
          - preserve_vmalloc: {area: "a{i}", descriptor: "d{i}"}
            repeat: \(areas)
          - add_subtree: {name: "s{i}", blob: "d{i}", size: 16}
            repeat: \(subtrees)
          - kexec
        """
    }

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
