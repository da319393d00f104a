import Foundation
import KHOMachine
import KHOTestSupport
import Testing

/// A recording command the crash harness interrupts: `kholedger arguments…
/// --ledger L`, written either in batches (a kill leaves a prefix of whole
/// operations) or in one transaction (a kill leaves nothing of it).
struct InterruptedRecording {
    let name: String
    let arguments: [String]
    let oneTransaction: Bool
    /// Operations per transaction when the command commits fixed batches
    /// (`record` also commits whenever its input pauses).
    var batch: Int? = nil
}

/// What a crash-harness run saw.
struct CrashTally: CustomStringConvertible {
    /// Operations of the uninterrupted run.
    let runLength: Int
    var kills = 0
    /// Runs that ended before their kill came (checked as complete runs).
    var finishedFirst = 0
    /// Operations of the killed run found in the ledger after each kill.
    var committedAtKill: [Int] = []
    /// Uninterrupted runs into a ledger that had been killed into.
    var continued = 0

    /// Kills after which the ledger held some but not all of the run.
    var partial: Int { committedAtKill.filter { $0 > 0 && $0 < runLength }.count }

    var description: String {
        let none = committedAtKill.filter { $0 == 0 }.count
        let all = committedAtKill.filter { $0 == runLength }.count
        return "\(kills) kills, all survived (integrity_check ok, audit --chain ok, a prefix of whole operations); "
            + "the killed run had left none of its \(runLength) operations \(none) times, part \(partial) times, all \(all) times; "
            + "\(finishedFirst) runs finished before the kill; \(continued) runs continued a killed ledger to completion"
    }
}

/// SIGKILLs a real `kholedger` recording at seeded random moments spread over
/// an uninterrupted run's duration, and after each kill checks the ledger:
/// it opens, `PRAGMA integrity_check` is ok, `audit --chain` passes, the
/// operations added since the run began are a prefix of the uninterrupted
/// run's (a one-transaction command: none or all of them, and otherwise the
/// database content is unchanged) and no derived row outlives its operation.
/// The next run records into the same ledger, so every kill is followed by
/// recording that continues it; every few kills a run goes to completion and
/// the harness starts again from the base ledger.
struct CrashHarness {
    let recording: InterruptedRecording
    /// The ledger every run starts from (left intact).
    let base: String
    let directory: TemporaryDirectory
    /// The operations the recording adds to `base`, uninterrupted (normalized).
    let reference: [String]
    /// Seconds the uninterrupted run took.
    let duration: Double

    /// Runs the recording once into a copy of `base` to learn its operations and duration.
    init(_ recording: InterruptedRecording, base: String, in directory: TemporaryDirectory) throws {
        self.recording = recording
        self.base = base
        self.directory = directory
        let ledger = try Self.copy(base, to: directory.path("\(recording.name)-reference.db"))
        let start = try Self.lastSeq(ledger)
        let began = Date()
        let result = try ToolRunner.run(recording.arguments + ["--ledger", ledger])
        duration = Date().timeIntervalSince(began)
        guard result.status == 0 else { throw FixtureError("\(recording.name) failed: \(result.stderr)") }
        reference = try Self.operations(ledger, after: start)
    }

    /// Kills runs until `wanted` kills happened; after `perLedger` kills a
    /// run goes to completion and the next starts from a fresh copy of the base.
    func run(kills wanted: Int, perLedger: Int, seed: UInt64) throws -> CrashTally {
        var random = SplitMix64(seed: seed)
        var tally = CrashTally(runLength: reference.count)
        var round = 0
        var ledger = try Self.copy(base, to: directory.path("\(recording.name)-0.db"))
        var attempts = 0
        while tally.kills < wanted, attempts < wanted * 3 {
            attempts += 1
            let before = try Self.lastSeq(ledger)
            let digest = recording.oneTransaction ? try Self.contentDigest(ledger) : ""
            let killed = try runKilled(ledger, after: Double.random(in: 0 ... duration * 1.05, using: &random))
            let added = try verify(ledger, after: before, complete: !killed, digest: digest)
            guard killed else {
                tally.finishedFirst += 1
                continue
            }
            tally.kills += 1
            tally.committedAtKill.append(added)
            if tally.kills % perLedger == 0 {
                let start = try Self.lastSeq(ledger)
                let again = try ToolRunner.run(recording.arguments + ["--ledger", ledger])
                #expect(again.status == 0, "\(recording.name) after a kill: \(again.stderr)")
                _ = try verify(ledger, after: start, complete: true, digest: "")
                tally.continued += 1
                round += 1
                ledger = try Self.copy(base, to: directory.path("\(recording.name)-\(round).db"))
            }
        }
        return tally
    }

    /// Starts the recording into `ledger`, SIGKILLs it after `delay`
    /// seconds; false when it had already exited.
    private func runKilled(_ ledger: String, after delay: Double) throws -> Bool {
        let process = Process()
        process.executableURL = ToolRunner.executable
        process.arguments = recording.arguments + ["--ledger", ledger]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal
    }

    /// Checks the ledger after a run that began after seq `start`; returns
    /// how many operations the run left.
    private func verify(_ ledger: String, after start: Int, complete: Bool, digest: String) throws -> Int {
        #expect(try Self.scalar(ledger, "PRAGMA integrity_check") == "ok", "\(recording.name): integrity_check")
        let audit = try ToolRunner.run(["audit", "--chain", "--ledger", ledger])
        #expect(audit.status == 0, "\(recording.name): \(audit.stdout)\(audit.stderr)")
        let orphans = try Self.scalar(ledger, """
            SELECT (SELECT count(*) FROM object WHERE from_seq > (SELECT max(seq) FROM op))
                 + (SELECT count(*) FROM op_change WHERE seq > (SELECT max(seq) FROM op))
                 + (SELECT count(*) FROM page_content WHERE from_seq > (SELECT max(seq) FROM op))
            """)
        #expect(orphans == "0", "\(recording.name): rows of an operation that is not in the log")
        let added = try Self.operations(ledger, after: start)
        if recording.oneTransaction && !complete && added.isEmpty {
            #expect(try Self.contentDigest(ledger) == digest, "\(recording.name): killed, but the ledger changed")
        } else {
            let whole = complete || recording.oneTransaction
            let expected = whole ? reference : Array(reference.prefix(added.count))
            let common = min(added.count, expected.count)
            let differs = (0..<common).first { added[$0] != expected[$0] } ?? (added.count == expected.count ? nil : common)
            #expect(differs == nil, """
                \(recording.name): \(added.count) operations, not \(whole ? "the whole" : "a prefix of the") uninterrupted run \
                (\(reference.count)); first difference at \(differs ?? 0): \
                \(added.indices.contains(differs ?? 0) ? added[differs ?? 0] : "none") vs \
                \(expected.indices.contains(differs ?? 0) ? expected[differs ?? 0] : "none")
                """)
        }
        return added.count
    }

    /// The operations after seq `start`, one line each, in seq order, with
    /// what differs between runs taken out: times and hashes (the hash
    /// covers the time; `audit --chain` checks them) and generation numbers
    /// (made relative to the run's first generation, also in the arguments
    /// of a boot that names its own generation).
    static func operations(_ ledger: String, after start: Int) throws -> [String] {
        let rows = try ToolRunner.sqlite(ledger, """
            WITH first(g) AS (SELECT min(generation) FROM op WHERE seq > \(start))
            SELECT generation - g, kind, coalesce(subject, ''),
                   CASE WHEN json_extract(args, '$.generation') = generation
                        THEN json_set(args, '$.generation', json_extract(args, '$.generation') - g) ELSE args END,
                   result, coalesce(errno, ''), coalesce(detail, '')
            FROM op, first WHERE seq > \(start) ORDER BY seq
            """)
        return rows.stdout.split(separator: "\n").map(String.init)
    }

    static func lastSeq(_ ledger: String) throws -> Int {
        Int(try scalar(ledger, "SELECT coalesce(max(seq), 0) FROM op")) ?? -1
    }

    /// SHA3 of the database content (the `sqlite3` shell's `.sha3sum`).
    static func contentDigest(_ ledger: String) throws -> String {
        try ToolRunner.sqlite(ledger, ".sha3sum").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func scalar(_ ledger: String, _ sql: String) throws -> String {
        try ToolRunner.sqlite(ledger, sql).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Copies a closed ledger (and its write-ahead log, if any) to `path`.
    static func copy(_ ledger: String, to path: String) throws -> String {
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: ledger + suffix) {
            try FileManager.default.copyItem(atPath: ledger + suffix, toPath: path + suffix)
        }
        return path
    }
}
