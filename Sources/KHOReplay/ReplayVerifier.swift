import Foundation
import KHOABI
import KHOLedger
import KHOMachine

/// Re-runs a ledger's operation log on fresh emulated machines and checks
/// that the replay derives exactly the recorded rows.
///
/// Each lineage (a cold boot and the generations kexec'd from it) is
/// replayed on a new ``KHOMachine`` built from the configuration stored with
/// its generation (`generation.machine`). Every recorded op becomes the call
/// that made it (kind, subject and `args`; a write takes its bytes from the
/// ledger's memory as of the op, see ``MemoryView``); boots after the first
/// come from the kexecs. The replay is recorded by the same
/// ``LedgerRecorder`` into a scratch ledger (removed afterwards), and the
/// two ledgers are compared op by op: the op row (without its time), its
/// tracker changes, preserved runs, objects with extents and chunk bytes,
/// page contents by hash, subtrees and generation rows, with interval ends
/// translated between the two seq numberings. The first difference is
/// reported with its seq, table, row and both values.
///
/// Cost: one pass over the log, one scratch recording, and one ordered
/// scan of each table on both sides; memory holds a batch of ops, the rows
/// of one op and the lineage's seq numbers.
public struct ReplayVerifier {
    public let ledger: Ledger
    /// Where the scratch ledgers are written.
    public let scratchDirectory: URL

    public init(ledger: Ledger, scratchDirectory: URL = FileManager.default.temporaryDirectory) {
        self.ledger = ledger
        self.scratchDirectory = scratchDirectory
    }

    /// Replays every lineage and compares; `progress` is told the ops
    /// replayed after each one.
    public func verify(progress: WorkProgress = { _, _ in }) throws(ReplayVerifierError) -> ReplayVerifierReport {
        let lineages = try read { snapshot in try Lineages.summaries(snapshot) }
        guard !lineages.isEmpty else { throw .emptyLedger }
        let total = lineages.reduce(0) { $0 + $1.ops }
        var done = 0
        var report = ReplayVerifierReport(lineages: [])
        for summary in lineages {
            var lineage = ReplayVerifierReport.Lineage(lineage: summary.lineage, generations: summary.generations, ops: summary.ops, verified: 0)
            guard let config = summary.machine.flatMap({ try? JSONDecoder().decode(MachineConfig.self, from: Data($0.utf8)) }) else {
                lineage.skipped = "generation \(lineage.lineage) has no machine configuration to replay (only simulated generations store one)"
                report.lineages.append(lineage)
                done += lineage.ops
                continue
            }
            try replay(&lineage, config: config) { done += 1; progress(done, total) }
            report.lineages.append(lineage)
        }
        return report
    }

    /// Replays one lineage into a scratch ledger, compares, and removes the scratch ledger.
    private func replay(_ lineage: inout ReplayVerifierReport.Lineage, config: MachineConfig,
                        onOp: () -> Void) throws(ReplayVerifierError) {
        let path = scratchDirectory.appendingPathComponent("kholedger-replay-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let scratch: Ledger
        let recorder: LedgerRecorder
        do {
            scratch = try Ledger(path: path)
            recorder = try LedgerRecorder(ledger: scratch, config: config, source: "replay")
        } catch {
            throw .scratch("\(error)")
        }
        defer { try? scratch.closeConnection() }
        let run = try run(lineage.lineage, config: config, into: recorder, onOp: onOp)
        do {
            try recorder.flush()
        } catch {
            throw .scratch("\(error)")
        }
        if let failure = recorder.failure { throw .scratch("\(failure)") }
        try compare(&lineage, run: run, replay: scratch)
    }

    /// The recorded ops of a lineage as replayed: their seqs, in order, and
    /// the first op the replayed machine refused.
    private struct Run {
        var seqs: [Int64] = []
        var refusal: (index: Int, reason: String)?
    }

    /// Makes the call of every recorded op of `lineage`, in seq order, on a
    /// machine whose events go to `recorder`; stops at the first op that
    /// yields no event.
    private func run(_ lineage: Int64, config: MachineConfig, into recorder: LedgerRecorder,
                     onOp: () -> Void) throws(ReplayVerifierError) -> Run {
        var run = Run()
        var machine: KHOMachine?
        var events = 0
        // Recorded ops the previous call made itself (a boot and what the
        // kernel does at init: kexec-metadata), replayed by that call.
        var madeByPreviousCall = 0
        let sink = recorder.eventSink
        batches: while true {
            let batch = try read { snapshot in
                try Lineages.operations(snapshot, lineage: lineage, after: run.seqs.last ?? 0, limit: 1000)
            }
            if batch.isEmpty { break }
            for op in batch {
                run.seqs.append(op.seq)
                onOp()
                if madeByPreviousCall > 0 {
                    madeByPreviousCall -= 1
                    continue
                }
                let before = events
                defer { madeByPreviousCall = max(0, events - before - 1) }
                do {
                    if let machine {
                        let call = try ReplayVerifierCall(seq: op.seq, kind: op.kind, subject: op.subject, args: op.args)
                        try call.perform(on: machine) { try MemoryView(ledger: ledger, lineage: lineage, seq: call.seq) }
                    } else {
                        machine = try KHOMachine(config: config) { event in
                            events += 1
                            sink(event)
                        }
                    }
                } catch {
                    if events == before {
                        run.refusal = (run.seqs.count - 1, "\(error)")
                        break batches
                    }
                }
            }
        }
        return run
    }

    /// Compares the rows every op of `run` made with the replay's, op by
    /// op in one pass over each table, up to the first difference.
    private func compare(_ lineage: inout ReplayVerifierReport.Lineage, run: Run, replay: Ledger) throws(ReplayVerifierError) {
        let made = run.refusal?.index ?? run.seqs.count
        let seqs = ReplayVerifierSeqs(recorded: Array(run.seqs.prefix(made)), stoppedEarly: run.refusal != nil)
        let found: (index: Int, table: String, detail: String)? = try read { snapshot in
            try replay.read { replaySnapshot in
                let replayLineage = try Lineages.first(replaySnapshot) ?? 0
                let streams = try LineageRows.all.map { rows in
                    (rows, try rows.stream(snapshot, lineage: lineage.lineage), try rows.stream(replaySnapshot, lineage: replayLineage))
                }
                let replayOps = try OpSeqs.count(replaySnapshot)
                for index in 0..<made {
                    guard index < replayOps else { return (index, "call", "the replay made no operation here") }
                    for (rows, recorded, replayed) in streams {
                        if let detail = try rows.difference(recorded: recorded, at: run.seqs[index], replayed: replayed, at: Int64(index + 1),
                                                            asReplayed: { seqs.asReplayed(recorded: $0) },
                                                            asRecorded: { seqs.recorded(replayed: $0) }) {
                            return (index, rows.table, detail)
                        }
                    }
                }
                return run.refusal.map { ($0.index, "call", "the replayed machine could not make the call: \($0.reason)") }
            }
        }
        lineage.verified = found?.index ?? made
        if let found {
            let seq = run.seqs[found.index]
            let op = try read { snapshot in try OpHeading.fetchOne(snapshot, seq: seq) }
            lineage.divergence = .init(seq: seq, kind: op?.kind ?? "?", table: found.table, detail: found.detail)
        }
    }

    /// Runs `body` with a snapshot of the recorded ledger.
    private func read<T>(_ body: (LedgerSnapshot) throws -> T) throws(ReplayVerifierError) -> T {
        do {
            return try ledger.read(body)
        } catch {
            throw .ledger(LedgerError(reading: error, at: ledger.path))
        }
    }
}
