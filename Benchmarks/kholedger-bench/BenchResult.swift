import Foundation

/// One row of the benchmark table: our median against the baseline's median,
/// both measured in this run.
struct BenchResult: Encodable {
    var scenario: String
    var size: String
    var seconds: Double
    var throughput: Double
    var unit: String
    var baseline: String
    var baselineSeconds: Double
    /// seconds / baselineSeconds.
    var ratio: Double
    /// A size-type figure and its baseline (e.g. ledger bytes per frame), when the scenario has one.
    var figure: String? = nil

    /// Runs `run` and `baselineRun` `runs` times each, alternating, and keeps the medians.
    static func measure(scenario: String, size: String, units: Double, unit: String, runs: Int,
                        run: () throws -> Void, baseline: String, baselineRun: () throws -> Void) throws -> BenchResult {
        var ours: [Double] = []
        var theirs: [Double] = []
        for _ in 0..<runs {
            ours.append(try time(run))
            theirs.append(try time(baselineRun))
        }
        let seconds = median(ours), baselineSeconds = median(theirs)
        return BenchResult(scenario: scenario, size: size, seconds: seconds, throughput: units / seconds, unit: unit,
                           baseline: baseline, baselineSeconds: baselineSeconds, ratio: seconds / baselineSeconds)
    }

    /// Seconds `body` takes.
    static func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The middle value (the upper one of an even count).
    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// The results as an aligned text table.
    static func table(_ results: [BenchResult]) -> String {
        let header = ["scenario", "size", "seconds", "throughput", "baseline", "baseline s", "ratio", "figure"]
        let rows = results.map { r in
            [r.scenario, r.size, String(format: "%.3f", r.seconds), String(format: "%.3g %@", r.throughput, r.unit),
             r.baseline, String(format: "%.3f", r.baselineSeconds), String(format: "%.2f", r.ratio), r.figure ?? ""]
        }
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
