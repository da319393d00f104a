import Foundation
import KHOABI
import KHOLedger
import KHOMachine

/// `kholedger-bench`: measures recording against the SQLite floor, both in
/// the same run. Prints a table and, with `--json FILE`, writes the rows.
///
///     swift run -c release kholedger-bench [--quick] [--json FILE]
@main
struct Bench {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        let quick = arguments.contains("--quick")
        let jsonPath = arguments.firstIndex(of: "--json").flatMap { arguments.index(after: $0) < arguments.endIndex ? arguments[arguments.index(after: $0)] : nil }
        let runs = 3
        let contentBytes: UInt64 = quick ? 64 << 20 : 1 << 30
        let frames = quick ? 100_000 : 1_000_000

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kholedger-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let workspace = Workspace(directory: directory)

        var results: [BenchResult] = []

        let content = try Workload.randomContent(bytes: contentBytes)
        results.append(try BenchResult.measure(
            scenario: "record random content", size: "\(contentBytes >> 20) MiB", units: Double(contentBytes), unit: "B/s", runs: runs,
            run: { try workspace.record(content) },
            baseline: "raw-blobs", baselineRun: { try RawSQLite.blobs(content.data, path: workspace.fresh("raw-blobs.db")) }))

        let layout = try Workload.zeroFrames(count: frames)
        results.append(try BenchResult.measure(
            scenario: "record page frames (layout only)", size: "\(frames) frames", units: Double(frames), unit: "frames/s", runs: runs,
            run: { try workspace.record(layout) },
            baseline: "raw-rows", baselineRun: { try RawSQLite.rows(layout.frames, path: workspace.fresh("raw-rows.db")) }))

        print(BenchResult.table(results))
        if let jsonPath {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            try encoder.encode(results).write(to: URL(fileURLWithPath: jsonPath))
        }
    }
}

/// Where runs write their ledgers and baseline databases.
struct Workspace {
    let directory: URL

    /// A path in the workspace, with any previous file of that name removed.
    func fresh(_ name: String) -> String {
        let path = directory.appendingPathComponent(name).path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return path
    }

    /// Feeds a workload's events to a recorder on a new ledger.
    func record(_ workload: Workload) throws {
        let ledger = try Ledger(path: fresh("ledger.db"))
        let recorder = try LedgerRecorder(ledger: ledger, config: workload.config, source: "bench")
        for event in workload.events { try recorder.record(event) }
        try recorder.flush()
    }
}
