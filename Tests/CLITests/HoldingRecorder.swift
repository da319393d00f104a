import Foundation
import KHOTestSupport

/// A `kholedger record -` that holds a ledger open for writing: it has
/// recorded the first line of an event stream and waits for more on its
/// standard input, holding the ledger's writer lock, until ``finish()`` or
/// ``kill()``.
final class HoldingRecorder {
    private let process = Process()
    private let input = Pipe()

    /// The recorder's PID.
    var pid: Int32 { process.processIdentifier }

    /// Starts recording the first line of the stream at `events` into `ledger`.
    init(ledger: String, events: String) throws {
        let before = FileManager.default.fileExists(atPath: ledger) ? try CrashHarness.lastSeq(ledger) : 0
        process.executableURL = ToolRunner.executable
        process.arguments = ["record", "-", "--ledger", ledger]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let firstLine = try String(contentsOfFile: events, encoding: .utf8).prefix { $0 != "\n" } + "\n"
        input.fileHandleForWriting.write(Data(firstLine.utf8))
        // The operation is committed before the recorder reads on. (The
        // sqlite3 shell would create an empty file at a path that does not exist yet.)
        while process.isRunning, !FileManager.default.fileExists(atPath: ledger) || (try? CrashHarness.lastSeq(ledger)) == before {
            usleep(20_000)
        }
    }

    /// Ends the stream; returns the recorder's exit status.
    func finish() throws -> Int32 {
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Kills the recorder (SIGKILL) and waits for it.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
