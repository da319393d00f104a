import Foundation

extension Bench {
    /// How `state --at` grows with the ledger: a short and a long churn
    /// ledger (10,000 and 10,000,000 operations; 10,000 and 100,000 with
    /// `--quick`, as the ledger's set-up alone is about 4,100 operations),
    /// each against `full-replay`, then a row comparing the long ledger's p50
    /// with the short one's (its ratio is p50(long) / p50(short)).
    func asOfScaling() throws -> [BenchResult] {
        let short = try churnAsOf(ops: 10_000)
        let long = try churnAsOf(ops: quick ? 100_000 : 10_000_000)
        return [short, long, BenchResult(
            scenario: "state --at p50, long ledger against short", size: "\(long.size) / \(short.size)",
            seconds: long.seconds, throughput: 1 / long.seconds, unit: "queries/s",
            baseline: "p50 at \(short.size)", baselineSeconds: short.seconds, ratio: long.seconds / short.seconds,
            figure: String(format: "p50 %.2f ms vs %.2f ms", long.seconds * 1e3, short.seconds * 1e3))]
    }
}
