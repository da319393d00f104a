import Foundation
import KHOABI
import KHOLedger
import KHOMachine

/// `kholedger-bench`: measures recording against the SQLite floor, as-of
/// queries against a full replay and page lookups against a raw point lookup, each pair in the same run. Prints a table and, with `--json FILE`, writes the rows.
///
/// The guest-sized groups: `asof-10m` (`state --at` on a 10,000,000-operation
/// ledger, and its p50 against a 10,000-operation one), `diff-10m` (`diff` of
/// two handovers of 10,000,000 frames) and `guest` (`simulate` of a 64 GiB
/// memfd in 4 KiB folios, in a child process, with its peak memory).
///
/// The fleet groups: `fleet-push` (`push` of a 1,000,000-operation ledger
/// against `psql`'s `\copy` of the same rows) and `fleet-hosts` (100 hosts
/// of 10,000 operations, then the `hosts` report), each on a throwaway
/// PostgreSQL cluster (`scripts/postgres-cluster.sh`).
///
///     swift run -c release kholedger-bench [--quick] [--only record|asof|storage|restore|diff|import|who|asof-10m|diff-10m|guest|fleet-push|fleet-hosts] [--json FILE] [--workspace DIR]
@main
struct Bench {
    /// The scenario groups, in the order they run; `--only NAME` picks one.
    static let groups: [(name: String, run: @Sendable (Bench) throws -> [BenchResult])] = [
        ("record", { try $0.recording() }),
        ("asof", { try $0.asOfQueries() }),
        ("storage", { try $0.storage() }),
        ("restore", { try $0.pastRestore() }),
        ("diff", { try $0.generationDiff(frames: $0.quick ? 100_000 : 1_000_000) }),
        ("import", { try $0.captureImport() }),
        ("who", { try $0.pageLookups() }),
        ("asof-10m", { try $0.asOfScaling() }),
        ("diff-10m", { try $0.generationDiff(frames: $0.quick ? 300_000 : 10_000_000) }),
        ("guest", { try $0.guestHandover() }),
        ("fleet-push", { try $0.fleetPush() }),
        ("fleet-hosts", { try $0.fleetHosts() }),
    ]

    let quick: Bool
    let workspace: Workspace
    let runs = 3

    static func main() {
        do {
            try run()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
    }

    private static func run() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == importChildFlag { return try importChild(Array(arguments.dropFirst())) }
        if arguments.first == simulateChildFlag { return try simulateChild(Array(arguments.dropFirst())) }
        func value(after flag: String) -> String? {
            arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        let only = value(after: "--only")
        if let only, !groups.contains(where: { $0.name == only }) {
            throw RawSQLite.Failure(description: "unknown group \(only); groups: \(groups.map(\.name).joined(separator: ", "))")
        }
        // --workspace DIR keeps the ledgers and baseline databases for inspection.
        let kept = value(after: "--workspace")
        let directory = kept.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("kholedger-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if kept == nil { try? FileManager.default.removeItem(at: directory) } }
        let bench = Bench(quick: arguments.contains("--quick"), workspace: Workspace(directory: directory))

        var results: [BenchResult] = []
        for group in groups where only == nil || group.name == only { results += try group.run(bench) }

        print(BenchResult.table(results))
        if let jsonPath = value(after: "--json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            try encoder.encode(results).write(to: URL(fileURLWithPath: jsonPath))
        }
    }

    /// Recording captured events against `raw-blobs` and `raw-rows`.
    func recording() throws -> [BenchResult] {
        let contentBytes: UInt64 = quick ? 64 << 20 : 1 << 30
        let frames = quick ? 100_000 : 1_000_000
        let content = try Workload.randomContent(bytes: contentBytes)
        let layout = try Workload.zeroFrames(count: frames)
        return [
            try BenchResult.measure(
                scenario: "record random content", size: "\(contentBytes >> 20) MiB", units: Double(contentBytes), unit: "B/s", runs: runs,
                run: { try workspace.record(content) },
                baseline: "raw-blobs", baselineRun: { try RawSQLite.blobs(content.data, path: workspace.fresh("raw-blobs.db")) }),
            try BenchResult.measure(
                scenario: "record page frames (layout only)", size: "\(frames) frames", units: Double(frames), unit: "frames/s", runs: runs,
                run: { try workspace.record(layout) },
                baseline: "raw-rows", baselineRun: { try RawSQLite.rows(layout.frames, path: workspace.fresh("raw-rows.db")) }),
        ]
    }

    /// `state --at` on one-generation churn ledgers of growing length against `full-replay`.
    func asOfQueries() throws -> [BenchResult] {
        try (quick ? [10_000, 50_000] : [10_000, 100_000, 1_000_000]).map(churnAsOf)
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

    /// Feeds a workload's events to a recorder on a new ledger at `name`.
    @discardableResult
    func record(_ workload: Workload, name: String = "ledger.db") throws -> Ledger {
        let ledger = try Ledger(path: fresh(name))
        let recorder = try LedgerRecorder(ledger: ledger, config: workload.config, source: "bench")
        for event in workload.events { try recorder.record(event) }
        try recorder.flush()
        return ledger
    }

    /// Bytes of the database file at `path` once its WAL is checkpointed into it.
    func checkpointedSize(_ path: String) throws -> UInt64 {
        try RawSQLite.checkpoint(path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
    }
}
