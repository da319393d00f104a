import Foundation
import KHOLedger

extension Bench {
    /// Ledger size: content with zero and duplicate pages against the same
    /// bytes as `raw-blobs`, and the layout of one contiguous run of frames
    /// against `raw-rows`; the figure column compares the files.
    func storage() throws -> [BenchResult] {
        let bytes: UInt64 = quick ? 64 << 20 : 1 << 30
        let frames = quick ? 100_000 : 1_000_000
        let empty = try workspace.checkpointedSize(workspace.record(Workload.emptyLedger, name: "empty.db").path)

        let content = try Workload.duplicateContent(bytes: bytes)
        var (dedup, dedupSize, blobSize) = try recordWithSizes(
            content, scenario: "record content: 25% zero, 50% duplicate pages", size: "\(bytes >> 20) MiB",
            units: Double(bytes), unit: "B/s", baseline: "raw-blobs") { try RawSQLite.blobs(content.data, path: $0) }
        dedup.figure = String(format: "file %.1f MiB vs %.1f MiB", Double(dedupSize) / 1048576, Double(blobSize) / 1048576)

        let layout = try Workload.contiguousFrames(count: frames)
        var (run, runSize, rowSize) = try recordWithSizes(
            layout, scenario: "record one contiguous run of frames", size: "\(frames) frames",
            units: Double(frames), unit: "frames/s", baseline: "raw-rows") { try RawSQLite.rows(layout.frames, path: $0) }
        run.figure = String(format: "%.3f B/frame (+%llu KiB over an empty ledger) vs %.1f", Double(runSize - empty) / Double(frames),
                            (runSize - empty) >> 10, Double(rowSize) / Double(frames))
        return [dedup, run]
    }

    /// Measures recording `workload` against `baselineRun` (given a fresh
    /// database path) and returns the result with both files' sizes.
    private func recordWithSizes(_ workload: Workload, scenario: String, size: String, units: Double, unit: String,
                                 baseline: String, baselineRun: @escaping (String) throws -> Void) throws -> (BenchResult, UInt64, UInt64) {
        let result = try BenchResult.measure(
            scenario: scenario, size: size, units: units, unit: unit, runs: runs,
            run: { try workspace.record(workload, name: "ours.db") },
            baseline: baseline, baselineRun: { try baselineRun(workspace.fresh("baseline.db")) })
        func fileSize(_ name: String) throws -> UInt64 {
            try workspace.checkpointedSize(workspace.directory.appendingPathComponent(name).path)
        }
        return (result, try fileSize("ours.db"), try fileSize("baseline.db"))
    }
}
