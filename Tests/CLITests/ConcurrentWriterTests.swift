import Foundation
import KHOTestSupport
import Testing

/// Writers started together on one ledger take turns: each run is stored
/// whole, as one contiguous range of seqs, and none is lost; a writer that
/// waits too long fails with one line naming the writer it waited for, and
/// stores nothing.
@Suite("Concurrent writers", .serialized)
struct ConcurrentWriterTests {
    /// About 400 operations: two batches of `simulate`.
    static let scenario = LedgerCrashTests.scenario(areas: 100, subtrees: 5, memory: "256MiB", seed: 9)

    /// Runs every command at once (one thread each) and returns their results in order.
    private func together(_ commands: [[String]]) -> [ToolResult?] {
        nonisolated(unsafe) var results = [ToolResult?](repeating: nil, count: commands.count)
        let group = DispatchGroup()
        for (index, arguments) in commands.enumerated() {
            group.enter()
            Thread {
                results[index] = try? ToolRunner.run(arguments)
                group.leave()
            }.start()
        }
        group.wait()
        return results
    }

    @Test func twoSimulatesARecordAndAnImportStartedTogetherLoseNothing() throws {
        let fixture = try RecordedCapture(scenario: Self.scenario)
        let baseOps = try CrashHarness.lastSeq(fixture.base)
        // Each command alone, for the number of operations it adds.
        var added: [String: Int] = [:]
        for recording in fixture.recordings {
            let alone = try CrashHarness.copy(fixture.base, to: fixture.directory.path("alone-\(recording.name).db"))
            let result = try ToolRunner.run(recording.arguments + ["--ledger", alone])
            #expect(result.status == 0, "\(recording.name) alone: \(result.stderr)")
            added[recording.name] = try CrashHarness.lastSeq(alone) - baseOps
        }
        let commands = ["simulate", "simulate", "record", "import"]
        let expected = baseOps + commands.reduce(0) { $0 + (added[$1] ?? 0) }
        let arguments = Dictionary(uniqueKeysWithValues: fixture.recordings.map { ($0.name, $0.arguments) })
        for repetition in 1...10 {
            let ledger = try CrashHarness.copy(fixture.base, to: fixture.directory.path("together-\(repetition).db"))
            let results = together(commands.map { arguments[$0]! + ["--ledger", ledger] })
            for (command, result) in zip(commands, results) {
                #expect(result?.status == 0 && result?.stderr.contains("error:") == false,
                        "repetition \(repetition), \(command): \(result?.stderr ?? "did not run")")
            }
            #expect(try CrashHarness.lastSeq(ledger) == expected, "repetition \(repetition): operations lost")
            #expect(try CrashHarness.scalar(ledger, "SELECT count(*) FROM op") == "\(expected)", "repetition \(repetition)")
            // Every generation is one contiguous range of seqs: no run was interleaved with another.
            let torn = try CrashHarness.scalar(ledger, """
                SELECT count(*) FROM generation g
                WHERE (SELECT count(*) FROM op WHERE op.generation = g.generation) != g.kexec_seq - g.boot_seq + 1
                   OR EXISTS (SELECT 1 FROM op WHERE op.seq BETWEEN g.boot_seq AND g.kexec_seq AND op.generation != g.generation)
                """)
            #expect(torn == "0", "repetition \(repetition): \(torn) generations interleaved with another run")
            let audit = try ToolRunner.run(["audit", "--chain", "--ledger", ledger])
            #expect(audit.status == 0, "repetition \(repetition): \(audit.stdout)\(audit.stderr)")
            #expect(!FileManager.default.fileExists(atPath: ledger + ".lock"), "repetition \(repetition): the writer lock was left")
        }
        print("concurrent writers: 10 repetitions of 2 simulate + record + import at once, \(expected) operations each time, audit --chain clean")
    }

    @Test func aWriterThatWaitsTooLongNamesTheHolderAndStoresNothing() throws {
        let fixture = try RecordedCapture(scenario: Self.scenario)
        let ledger = fixture.base
        let holder = try HoldingRecorder(ledger: ledger, events: fixture.events)
        let digest = try CrashHarness.contentDigest(ledger)

        for (recording, wait) in zip(fixture.recordings, ["1", "0", "1"]) {
            let result = try ToolRunner.run(recording.arguments + ["--ledger", ledger, "--wait", wait])
            #expect(result.status == 1, "\(recording.name): status \(result.status)")
            let errors = result.stderr.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("error: ") }
            #expect(errors.count == 1 && errors[0].contains("ledger busy: being written by PID \(holder.pid)")
                        && errors[0].contains(ledger), "\(recording.name): \(result.stderr)")
            #expect(wait == "0" || result.stderr.contains("\(ledger) is being written by PID \(holder.pid); waiting up to 1 s"),
                    "\(recording.name): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(recording.name) printed a summary: \(result.stdout)")
            #expect(try CrashHarness.contentDigest(ledger) == digest, "\(recording.name) changed the ledger")
        }
        #expect(try holder.finish() == 0)
        // Now free: the next writer records.
        let after = try ToolRunner.run(fixture.recordings[0].arguments + ["--ledger", ledger, "--wait", "0"])
        #expect(after.status == 0, "\(after.stderr)")
    }
}
