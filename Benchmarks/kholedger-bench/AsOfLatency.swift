import Foundation
import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay

extension Bench {
    /// `state --at` on a new one-generation churn ledger of `ops` operations
    /// against `full-replay`; the figure says how long recording took.
    func churnAsOf(ops: Int) throws -> BenchResult {
        let churn = try ChurnLedger.timedRecord(ops: ops, path: workspace.fresh("churn-\(ops).db"))
        var result = try AsOfLatency.measure(path: churn.path, ops: churn.ops, points: 25, replayPoints: 5)
        result.figure = churn.note
        return result
    }
}

/// `state --at` latency: `AsOfState` at random points of a ledger, against
/// answering the same question by replaying the tracker changes from seq 1.
enum AsOfLatency {
    /// Median seconds of `AsOfState` over `points` random seqs (each the
    /// median of 3 answers) and of
    /// `full-replay` over the first `replayPoints` of them; every replay's
    /// preserved set must equal the as-of answer.
    static func measure(path: String, ops: Int, points: Int, replayPoints: Int) throws -> BenchResult {
        let ledger = try Ledger(readingAt: path)
        var random = SplitMix64(seed: UInt64(ops))
        let seqs = (0..<points).map { _ in Int64(1 + random.next() % UInt64(ops)) }
        var ours: [Double] = []
        var theirs: [Double] = []
        for (n, seq) in seqs.enumerated() {
            var state: AsOfState?
            let times = try (0..<3).map { _ in try BenchResult.time { state = try AsOfState(ledger: ledger, seq: seq) } }
            ours.append(BenchResult.median(times))
            guard n < replayPoints, let state else { continue }
            var replayed: Set<PreservedBlock> = []
            theirs.append(try BenchResult.time {
                replayed = try RawSQLite.replayPreserved(path: path, through: seq, pageSize: UInt64(state.geometry.pageSize))
            })
            guard replayed == Set(state.preserved) else {
                throw RawSQLite.Failure(description: "seq \(seq): full-replay has \(replayed.count) blocks, state --at \(state.preserved.count)")
            }
        }
        let seconds = BenchResult.median(ours), baselineSeconds = BenchResult.median(theirs)
        return BenchResult(scenario: "state --at, p50 of \(points) points", size: "\(ops) ops", seconds: seconds,
                           throughput: 1 / seconds, unit: "queries/s", baseline: "full-replay",
                           baselineSeconds: baselineSeconds, ratio: seconds / baselineSeconds)
    }
}
