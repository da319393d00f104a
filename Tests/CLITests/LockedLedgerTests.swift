import Foundation
import KHOTestSupport
import Testing

/// A ledger another program keeps locked (a `sqlite3` shell holding it
/// with `PRAGMA locking_mode=EXCLUSIVE`, outside kholedger's writer lock) is
/// named in one line once SQLite's busy timeout runs out — no SQLite error
/// text — and answers again once the lock is gone.
@Suite("Locked ledger", .serialized)
struct LockedLedgerTests {
    @Test func aLedgerLockedByAnotherProgramIsNamedInOneLine() throws {
        let ledger = try SimulatedLedger(example: "memfd-luo.yaml")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [ledger.path]
        let input = Pipe(), output = Pipe()
        shell.standardInput = input
        shell.standardOutput = output
        try shell.run()
        defer { if shell.isRunning { shell.terminate() } }
        input.fileHandleForWriting.write(Data("""
            PRAGMA locking_mode=EXCLUSIVE;
            BEGIN EXCLUSIVE;
            UPDATE ledger_meta SET value = value;
            SELECT 'locked';

            """.utf8))
        // The shell has the lock once it answers (after the pragma's "exclusive").
        var answer = ""
        while !answer.hasSuffix("locked\n") {
            let data = output.fileHandleForReading.availableData
            guard !data.isEmpty else { break }
            answer += String(decoding: data, as: UTF8.self)
        }
        #expect(answer == "exclusive\nlocked\n")

        let state = try ledger.kholedger(["state"])
        #expect(state.status == 1 && state.stdout.isEmpty)
        #expect(state.stderr == "error: cannot read \(ledger.path): another process holds the file locked (gave up after 10 s); "
                    + "close the program that has it open exclusively and try again\n", "\(state.stderr)")

        try input.fileHandleForWriting.close()
        shell.waitUntilExit()
        #expect(try ledger.kholedger(["state"]).status == 0)
    }
}
