import Foundation
import KHOTestSupport
import Testing

/// A ledger on read-only media answers like the same ledger anywhere else;
/// one whose write-ahead log cannot be read there gets one error line
/// saying why. Read-only media are a read-only file system (the ledger's
/// folder bind-mounted read-only onto itself in a user and mount namespace
/// of its own) and a read-only folder and file (modes 0555 and 0444, read
/// as another user when the tests run as root, whom file modes do not stop).
@Suite("Read-only media", .serialized)
struct ReadOnlyMediaTests {
    enum Medium: String, CaseIterable, CustomTestStringConvertible {
        case fileSystem = "read-only file system"
        case folder = "read-only folder"
        var testDescription: String { rawValue }
    }

    let directory: TemporaryDirectory
    /// The folder that becomes read-only, holding `ledger.db`.
    let folder: String
    var ledger: String { folder + "/ledger.db" }

    init() throws {
        directory = try TemporaryDirectory()
        folder = directory.path("media")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    }

    /// Runs `kholedger arguments…` with `folder` read-only as `medium` says.
    private func run(_ arguments: [String], on medium: Medium) throws -> ToolResult {
        let tool = [ToolRunner.executable.path] + arguments
        switch medium {
        case .fileSystem:
            let script = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\""
            return try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/unshare"), ["--user", "--map-root-user", "--mount", "/bin/sh", "-c", script, "sh", folder] + tool)
        case .folder:
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: ledger)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
            defer {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
                try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ledger)
            }
            let user = getuid() == 0 ? ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"] : []
            return try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/env"), user + tool)
        }
    }

    /// Commands that read the ledger and print to standard output.
    private let readers: [[String]] = [["state"], ["log"], ["audit", "--chain"], ["sql", "SELECT count(*), max(seq) FROM op"],
                                       ["diff", "gen:0", "gen:1"], ["report", "summary"]]

    @Test(arguments: Medium.allCases)
    func aLedgerOnReadOnlyMediaIsRead(_ medium: Medium) throws {
        let scenario = ToolRunner.examples.appendingPathComponent("multi-generation.yaml").path
        let made = try ToolRunner.run(["simulate", scenario, "--quiet", "--ledger", ledger])
        #expect(made.status == 0, "\(made.stderr)")
        // The answers on writable media, from a copy (readers leave SQLite's -wal and -shm beside a ledger).
        let copy = try CrashHarness.copy(ledger, to: directory.path("copy.db"))
        for command in readers {
            let expected = try ToolRunner.run(command + ["--ledger", copy])
            #expect(expected.status == 0 && !expected.stdout.isEmpty, "\(command): \(expected.stderr)")
            let result = try run(command + ["--ledger", ledger], on: medium)
            #expect(result.status == 0 && result.stderr.isEmpty, "\(command) on a \(medium.rawValue): \(result.stderr)")
            #expect(result.stdout == expected.stdout, "\(command) on a \(medium.rawValue) answered differently")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["ledger.db"])
    }

    @Test(arguments: Medium.allCases)
    func aPendingWriteAheadLogOnReadOnlyMediaIsNamed(_ medium: Medium) throws {
        // A writer killed after committing its first operation leaves it in the write-ahead log only.
        let events = directory.path("run.jsonl")
        let scenario = ToolRunner.examples.appendingPathComponent("multi-generation.yaml").path
        let streamed = try ToolRunner.run(["simulate", scenario, "--quiet", "--no-ledger", "--events", events])
        #expect(streamed.status == 0, "\(streamed.stderr)")
        try HoldingRecorder(ledger: ledger, events: events).kill()
        // Copied without its shared-memory index, as a copy of the two files would be.
        try FileManager.default.removeItem(atPath: ledger + "-shm")
        try? FileManager.default.removeItem(atPath: ledger + ".lock")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["ledger.db", "ledger.db-wal"])

        let result = try run(["state", "--ledger", ledger], on: medium)
        #expect(result.status == 1, "status \(result.status): \(result.stderr)")
        let lines = result.stderr.split(whereSeparator: \.isNewline)
        #expect(lines.count == 1 && lines[0].hasPrefix("error: cannot read \(ledger): its write-ahead log \(ledger)-wal may hold changes")
                    && lines[0].contains("open the ledger once where it is writable"), "\(result.stderr)")
        // Where it is writable, the log is read.
        let writable = try ToolRunner.run(["sql", "SELECT max(seq) FROM op", "--format", "csv", "--ledger", ledger])
        #expect(writable.status == 0 && writable.stdout.split(whereSeparator: \.isNewline).last == "1", "\(writable.stdout)\(writable.stderr)")
    }

    /// A ledger the user may not read (mode 0600, another owner) is named
    /// with the system's reason, in one line, for readers and writers alike.
    @Test func aLedgerTheUserMayNotReadIsNamedWithTheReason() throws {
        let scenario = ToolRunner.examples.appendingPathComponent("memfd-luo.yaml").path
        let made = try ToolRunner.run(["simulate", scenario, "--quiet", "--ledger", ledger])
        #expect(made.status == 0, "\(made.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: ledger)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ledger) }
        let user = getuid() == 0 ? ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"] : []
        for command in [["state"], ["log"], ["simulate", scenario, "--quiet"]] {
            let result = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/env"), user + [ToolRunner.executable.path] + command + ["--ledger", ledger])
            #expect(result.status == 1 && result.stderr == "error: cannot read \(ledger): Permission denied\n",
                    "\(command): status \(result.status), \(result.stderr)")
        }
    }
}
