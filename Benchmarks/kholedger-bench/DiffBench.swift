import Foundation
import KHOLedger
import KHOReplay

extension Bench {
    /// `diff` of two handovers of the same area of `frames` pages with 1 %
    /// of its pages rewritten, against one `EXCEPT` query each way over the
    /// two frame lists (index, pfn, content hash) as raw rows.
    func generationDiff(frames: Int) throws -> [BenchResult] {
        let (workload, changed) = try Workload.twoGenerations(frames: frames, changed: frames / 100)
        let ledger = try workspace.record(workload, name: "diff.db")
        let handovers = try ledger.read(HandoverGeneration.fetchKexecSeqs).sorted { $0.key < $1.key }.map(\.value)
        guard handovers.count == 2 else { throw RawSQLite.Failure(description: "expected two handovers, found \(handovers.count)") }
        let rawPath = workspace.fresh("raw-except.db")
        let zero = [UInt8](repeating: 0, count: 32)
        try RawSQLite.framesTable(workload.frames.map { ($0.index, $0.pfn, zero) }, name: "a", path: rawPath)
        try RawSQLite.framesTable(workload.frames.map { ($0.index, $0.pfn, changed.contains($0.index) ? [UInt8](repeating: 1, count: 32) : zero) },
                                  name: "b", path: rawPath)
        var found = 0, differing = 0
        let result = try BenchResult.measure(
            scenario: "diff two handovers, 1% of pages changed", size: "\(frames) frames", units: Double(frames),
            unit: "frames/s", runs: runs,
            run: {
                let diff = try GenerationDiff(ledger: ledger, from: handovers[0], to: handovers[1])
                found = diff.pairedAreas.reduce(0) { $0 + IndexRange.total($1.changedPages) }
            },
            baseline: "raw-except", baselineRun: { differing = try RawSQLite.exceptCount(path: rawPath) })
        guard found == changed.count, differing == 2 * changed.count else {
            throw RawSQLite.Failure(description: "diff found \(found) changed pages, raw-except \(differing) rows; \(changed.count) were rewritten")
        }
        return [result]
    }
}
