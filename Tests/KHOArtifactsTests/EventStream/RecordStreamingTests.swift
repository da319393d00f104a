import Foundation
import KHOTestSupport
import Testing

/// `kholedger record -` from a pipe commits what it has read whenever it
/// waits for more, so killing it (Ctrl-C on `bpftrace … | kholedger
/// record -`, here SIGKILL) keeps every line it received.
@Suite("record from a pipe")
struct RecordStreamingTests {
    @Test func linesReadBeforeAnInterruptStayRecorded() throws {
        let directory = try TemporaryDirectory("record-pipe")
        let ledger = directory.path("pipe.db")
        let process = Process()
        process.executableURL = ToolRunner.executable
        process.arguments = ["record", "-", "--ledger", ledger]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let lines = RecordBadLineTests.good.map { $0 + "\n" }.joined()
        input.fileHandleForWriting.write(Data(lines.utf8))
        // The recorder now waits for more input; its lines must reach the ledger.
        var recorded = ""
        var polls = 0
        while recorded != "3\n", polls < 600 {
            Thread.sleep(forTimeInterval: 0.1)
            polls += 1
            recorded = FileManager.default.fileExists(atPath: ledger) ? (try ToolRunner.sqlite(ledger, "SELECT count(*) FROM op")).stdout : ""
        }
        #expect(recorded == "3\n", "the ledger holds \(recorded) operations while record waits")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try ToolRunner.sqlite(ledger, "SELECT count(*) FROM op").stdout == "3\n")
        let audit = try ToolRunner.run(["audit", "--chain", "--ledger", ledger])
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
    }
}
