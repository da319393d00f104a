import Foundation
import KHOTestSupport
import Testing

/// SIGKILL in the middle of a large `simulate` leaves a ledger that opens,
/// passes integrity_check and the hash-chain audit, holds a prefix of the
/// uninterrupted run's operations with no partial one, and accepts more.
@Suite("Ledger crash consistency", .serialized)
struct LedgerCrashTests {
    static let scenario = """
        machine: {memory: 1GiB, seed: 4}
        steps:
          - vmalloc: {name: "a{i}", size: 64KiB, fill: random}
            repeat: 1200
          - alloc_preserve: {size: 16, as: "d{i}"}
            repeat: 1200
          - preserve_vmalloc: {area: "a{i}", descriptor: "d{i}"}
            repeat: 1200
          - add_subtree: {name: "s{i}", blob: "d{i}", size: 16}
            repeat: 50
          - kexec
        """

    /// (kind, subject, args, result) of every op, in seq order.
    private func operations(_ ledger: String) throws -> [String] {
        let result = try ToolRunner.sqlite(ledger, "SELECT kind || '|' || coalesce(subject, '') || '|' || args || '|' || result FROM op ORDER BY seq")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    private func scalar(_ ledger: String, _ sql: String) throws -> String {
        try ToolRunner.sqlite(ledger, sql).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func killedRecordingLeavesAWholePrefix() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("big.yaml", Self.scenario)
        let reference = directory.path("reference.db")
        let full = try ToolRunner.run(["simulate", file, "--ledger", reference, "--quiet"])
        #expect(full.status == 0, "\(full.stderr)")
        let expected = try operations(reference)
        #expect(expected.count > 4000)

        var random = SystemRandomNumberGenerator()
        for attempt in 0..<3 {
            let ledger = directory.path("killed-\(attempt).db")
            let process = Process()
            process.executableURL = ToolRunner.executable
            process.arguments = ["simulate", file, "--ledger", ledger, "--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: Double.random(in: 0.4...2.5, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "attempt \(attempt): the run finished before the kill")

            #expect(try scalar(ledger, "PRAGMA integrity_check") == "ok")
            let audit = try ToolRunner.run(["audit", "--chain", "--ledger", ledger])
            #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
            let recorded = try operations(ledger)
            #expect(recorded == Array(expected.prefix(recorded.count)), "attempt \(attempt): not a prefix")
            // No partial operation: every recorded successful preserve_vmalloc has its area and chunk rows.
            let preserves = try scalar(ledger, "SELECT count(*) FROM op WHERE kind = 'preserve_vmalloc' AND result = 'ok'")
            let areas = try scalar(ledger, "SELECT count(*) FROM object WHERE kind = 'vmalloc'")
            let withChunks = try scalar(ledger, "SELECT count(DISTINCT object_id) FROM chunk")
            #expect(preserves == areas && areas == withChunks)

            let again = try ToolRunner.run(["simulate", file, "--ledger", ledger, "--quiet"])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try ToolRunner.run(["audit", "--chain", "--ledger", ledger]).status == 0)
            #expect(try operations(ledger).count == recorded.count + expected.count)
        }
    }
}
