import Foundation
import KHOTestSupport
import Testing

/// Recording that runs out of room (a file size limit, as a full disk would
/// stop it) or meets a read-only ledger fails with one error line and a
/// non-zero exit, and leaves the ledger intact: integrity_check ok, the hash
/// chain ok, and a prefix of whole batches (an import: nothing) recorded.
@Suite("Resource faults while recording", .serialized)
struct ResourceFaultTests {
    /// Runs `kholedger arguments…` under `bash` after `setup` (shell commands
    /// such as `ulimit`); with `obeyingFileModes`, as another user when the
    /// tests run as root (whom file modes do not stop).
    private func runKholedger(_ arguments: [String], after setup: String = "", obeyingFileModes: Bool = false) throws -> ToolResult {
        var command = [ToolRunner.executable.path] + arguments
        if obeyingFileModes && getuid() == 0 { command = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"] + command }
        return try ToolRunner.run(URL(fileURLWithPath: "/bin/bash"), ["-c", setup + "exec \"$@\"", "bash"] + command)
    }

    /// Expects one `error:` line naming `ledger` and a failure status.
    private func expectOneErrorLine(_ result: ToolResult, naming ledger: String, _ context: String) {
        #expect(result.status == 1, "\(context): status \(result.status)")
        let lines = result.stderr.split(whereSeparator: \.isNewline)
        #expect(lines.count == 1 && lines[0].hasPrefix("error: ") && lines[0].contains(ledger), "\(context): \(result.stderr)")
    }

    /// Expects the ledger to pass integrity_check and the chain audit.
    private func expectIntact(_ ledger: String, _ context: String) throws {
        #expect(try CrashHarness.scalar(ledger, "PRAGMA integrity_check") == "ok", "\(context)")
        let audit = try ToolRunner.run(["audit", "--chain", "--ledger", ledger])
        #expect(audit.status == 0, "\(context): \(audit.stdout)\(audit.stderr)")
    }

    @Test func fullDiskStopsRecordingCleanly() throws {
        let fixture = try RecordedCapture()
        let baseOps = try CrashHarness.operations(fixture.base, after: 0)
        for recording in fixture.recordings {
            let reference = try CrashHarness(recording, base: fixture.base, in: fixture.directory).reference
            let ledger = try CrashHarness.copy(fixture.base, to: fixture.directory.path("full-\(recording.name).db"))
            let digest = try CrashHarness.contentDigest(ledger)
            // Writes past 2 MB fail (EFBIG, as ENOSPC on a full disk): the write-ahead log cannot grow.
            let result = try runKholedger(recording.arguments + ["--ledger", ledger], after: "ulimit -f 2000; ")
            expectOneErrorLine(result, naming: ledger, "\(recording.name) on a full disk")
            #expect(result.stdout.isEmpty, "\(recording.name) printed a summary of work it did not store: \(result.stdout)")
            try expectIntact(ledger, recording.name)
            #expect(try CrashHarness.operations(ledger, after: 0).prefix(baseOps.count) == baseOps[...])
            let added = try CrashHarness.operations(ledger, after: baseOps.count)
            if recording.oneTransaction {
                let after = try CrashHarness.contentDigest(ledger)
                #expect(added.isEmpty && after == digest, "\(recording.name): the ledger changed")
            } else {
                #expect(!added.isEmpty && added.count < reference.count && added == Array(reference.prefix(added.count)),
                        "\(recording.name): \(added.count) of \(reference.count) operations, not a prefix")
                if let batch = recording.batch {
                    #expect(added.count % batch == 0, "\(recording.name): \(added.count) operations is not whole batches of \(batch)")
                }
            }
            // With room again, recording continues.
            let again = try ToolRunner.run(recording.arguments + ["--ledger", ledger])
            #expect(again.status == 0, "\(again.stderr)")
            try expectIntact(ledger, "\(recording.name) after the disk had room again")
        }
    }

    @Test(arguments: ["file", "directory"])
    func readOnlyLedgerIsRefused(_ readOnly: String) throws {
        let fixture = try RecordedCapture()
        let folder = fixture.directory.path("ledgers")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for recording in fixture.recordings {
            let ledger = try CrashHarness.copy(fixture.base, to: "\(folder)/\(recording.name).db")
            let digest = try CrashHarness.contentDigest(ledger)
            let (file, directory) = readOnly == "file" ? (0o444, 0o755) : (0o666, 0o555)
            try FileManager.default.setAttributes([.posixPermissions: file], ofItemAtPath: ledger)
            try FileManager.default.setAttributes([.posixPermissions: directory], ofItemAtPath: folder)
            let result = try runKholedger(recording.arguments + ["--ledger", ledger], obeyingFileModes: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
            expectOneErrorLine(result, naming: ledger, "\(recording.name) into a read-only \(readOnly)")
            #expect(result.stderr.contains(readOnly == "file" ? "the file is read-only" : "is not writable"))
            #expect(try CrashHarness.contentDigest(ledger) == digest, "\(recording.name): the ledger changed")
            try expectIntact(ledger, recording.name)
        }
    }

    /// Creating a new ledger is all or nothing, and a file-size limit is an
    /// error, not a signal. For file-size limits from 512 KiB up to the
    /// size the run needs, `simulate --events` into a new ledger, with
    /// SIGXFSZ left at its default action (which would kill it), either
    /// finishes or fails with one error line at its first write past the
    /// limit. Afterwards the path holds no ledger or one with its whole
    /// schema that read-only commands open, never one with part of it, and
    /// no temporary file is left: no `.creating-*` directory, no `-wal` or
    /// `-shm` beside a missing ledger, no `.partial-*` event stream.
    @Test func creationCutShortLeavesNoPartialLedgerNorTemporaryFile() throws {
        let directory = try TemporaryDirectory()
        let scenario = try directory.write("small.yaml", """
            machine: {memory: 64MiB, seed: 1}
            steps:
              - vmalloc: {name: a, size: 16KiB, fill: random}
              - alloc_preserve: {size: 16, as: d}
              - preserve_vmalloc: {area: a, descriptor: d}
            """)
        var failures = 0
        // Under a file-size limit below 512 KiB, ThreadSanitizer's runtime dies (SIGBUS) before kholedger starts.
        var limit = 256
        var finished = false
        while !finished, limit < 64 << 10 {
            limit += 256
            let folder = directory.path("\(limit)")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            let ledger = "\(folder)/new.db"
            let context = "at \(limit) KiB"
            // The test process may ignore SIGXFSZ, which its children inherit: env restores the default action.
            let result = try runKholedger(["simulate", scenario, "--quiet", "--ledger", ledger, "--events", "\(folder)/events.jsonl"],
                                          after: "ulimit -f \(limit); set -- env --default-signal=XFSZ \"$@\"; ")
            finished = result.status == 0
            #expect(!result.signaled, "\(context): killed by a signal")
            if !finished {
                failures += 1
                expectOneErrorLine(result, naming: ledger, context)
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: folder)
            #expect(!left.contains { $0.contains(".creating-") || $0.contains(".partial") }, "\(context): left \(left)")
            guard FileManager.default.fileExists(atPath: ledger) else {
                #expect(left.isEmpty, "\(context): left \(left)")
                continue
            }
            #expect(finished || !left.contains("events.jsonl"), "\(context): a failed run wrote its event stream")
            let log = try ToolRunner.run(["log", "--ledger", ledger])
            #expect(log.status == 0, "\(context): the ledger does not open: \(log.stderr)")
            #expect(try CrashHarness.scalar(ledger, "PRAGMA integrity_check") == "ok", "\(context)")
        }
        #expect(finished, "simulate did not finish under a \(limit) KiB limit")
        #expect(failures > 0, "no limit stopped the run")
    }

    @Test func missingLedgerDirectoryIsNamed() throws {
        let directory = try TemporaryDirectory()
        let scenario = try directory.write("big.yaml", LedgerCrashTests.scenario)
        let ledger = directory.path("missing/kholedger.db")
        let result = try ToolRunner.run(["simulate", scenario, "--quiet", "--ledger", ledger])
        expectOneErrorLine(result, naming: ledger, "simulate into a missing directory")
        #expect(result.stderr.contains("its directory \(directory.path("missing")) does not exist"))
    }
}
