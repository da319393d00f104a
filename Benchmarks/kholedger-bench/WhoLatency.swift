import Foundation
import KHOABI
import KHOLedger
import KHOMachine
import KHOReplay

extension Bench {
    /// `who` on a one-generation churn ledger of 1,000,000 operations
    /// (50,000 with `--quick`) against one raw indexed point lookup.
    func pageLookups() throws -> [BenchResult] {
        let ops = quick ? 50_000 : 1_000_000
        let churn = try ChurnLedger.timedRecord(ops: ops, path: workspace.fresh("who-churn-\(ops).db"))
        var result = try WhoLatency.measure(path: churn.path, ops: churn.ops, pages: 25)
        result.figure = (result.figure ?? "") + ", " + churn.note
        return [result]
    }
}

/// `who` latency: ``PageHistory`` of random pages the ledger's operations
/// touched, each as of a random point, against `raw-point-lookup`: one op
/// row by its primary key through the SQLite C API, the cheapest indexed
/// read a ledger answers.
enum WhoLatency {
    /// Median seconds of `PageHistory` over `pages` pages (each the median of
    /// 3 answers) and of the raw lookup of the seq that touched each page;
    /// every answer must list that operation.
    static func measure(path: String, ops: Int, pages: Int) throws -> BenchResult {
        let ledger = try Ledger(readingAt: path)
        var random = SplitMix64(seed: UInt64(ops) &+ 1)
        // Pages of tracker changes: pages the ledger saw, each with an operation that touched it.
        let touched = try (0..<pages).map { _ in try RawSQLite.trackerChange(path: path, atOrAfter: Int64(1 + random.next() % UInt64(ops))) }
        let point = Int64(ops)
        var ours: [Double] = []
        for (seq, phys) in touched {
            var history: PageHistory?
            let times = try (0..<3).map { _ in try BenchResult.time { history = try PageHistory(ledger: ledger, page: .address(phys), seq: point) } }
            ours.append(BenchResult.median(times))
            guard history?.operations.contains(where: { $0.seq == seq }) == true else {
                throw RawSQLite.Failure(description: "who \(hex(phys)) does not list seq \(seq)")
            }
        }
        let theirs = try RawSQLite.pointLookups(path: path, seqs: touched.map(\.seq))
        let seconds = BenchResult.median(ours), baselineSeconds = BenchResult.median(theirs)
        func microseconds(_ times: [Double]) -> String {
            let sorted = times.sorted()
            return String(format: "p50 %.0f µs, p90 %.0f µs, max %.0f µs", sorted[sorted.count / 2] * 1e6,
                          sorted[sorted.count * 9 / 10] * 1e6, sorted[sorted.count - 1] * 1e6)
        }
        return BenchResult(scenario: "who, p50 of \(pages) pages", size: "\(ops) ops", seconds: seconds,
                           throughput: 1 / seconds, unit: "queries/s", baseline: "raw-point-lookup",
                           baselineSeconds: baselineSeconds, ratio: seconds / baselineSeconds,
                           figure: "\(microseconds(ours)) vs \(microseconds(theirs))")
    }
}
