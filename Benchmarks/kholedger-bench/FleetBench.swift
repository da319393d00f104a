import Foundation
import KHOFleet
import KHOLedger
import KHOTestSupport

extension Bench {
    /// `push` of a churn ledger (1,000,000 operations; 100,000 with `--quick`)
    /// into a fresh fleet store, against `psql-copy`: `psql`'s `\copy` of the
    /// very rows the push stored (every table, from files written by the
    /// store after a first push), into a fresh store of the same schema.
    func fleetPush() throws -> [BenchResult] {
        let cluster = try BenchCluster(directory: workspace.directory.appendingPathComponent("fleet-pg").path)
        let recorded = try ChurnLedger.timedRecord(ops: quick ? 100_000 : 1_000_000, path: workspace.fresh("fleet-source.db"))
        let ledger = try Ledger(readingAt: recorded.path)
        let reference = try cluster.database("reference")
        try FleetStore(url: reference).push(ledger, host: "bench", content: .hashes, audit: false)
        let files = try cluster.dumpTables(of: reference, into: workspace.directory)
        // Fresh, migrated stores made before each timed run.
        var stores: [String] = [], copies: [String] = []
        for run in 0..<runs {
            stores.append(try cluster.database("push_\(run)"))
            copies.append(try cluster.database("copy_\(run)"))
        }
        var result = try BenchResult.measure(
            scenario: "push a ledger to the fleet store", size: "\(recorded.ops) ops", units: Double(recorded.ops), unit: "ops/s", runs: runs,
            run: { try FleetStore(url: stores.removeFirst()).push(ledger, host: "bench", content: .hashes, audit: false) },
            baseline: "psql-copy", baselineRun: { try cluster.copy(files, into: copies.removeFirst()) })
        result.figure = recorded.note
        return [result]
    }

    /// 100 hosts (20 with `--quick`) of 10,000 operations pushed into one
    /// store, then the `hosts` report over them, against `raw-count`: one
    /// `count(*)` of every stored op (the least a fleet-wide answer reads).
    func fleetHosts() throws -> [BenchResult] {
        let hosts = quick ? 20 : 100
        let cluster = try BenchCluster(directory: workspace.directory.appendingPathComponent("fleet-pg").path)
        let recorded = try ChurnLedger.timedRecord(ops: 10_000, path: workspace.fresh("fleet-host.db"))
        let ledger = try Ledger(readingAt: recorded.path)
        let store = try FleetStore(url: try cluster.database("fleet"))
        let pushing = try BenchResult.time {
            for host in 0..<hosts { try store.push(ledger, host: String(format: "hv-%04d", host), content: .hashes, audit: true) }
        }
        var result = try BenchResult.measure(
            scenario: "fleet hosts report", size: "\(hosts) hosts × \(recorded.ops) ops", units: 1, unit: "reports/s", runs: max(runs, 5),
            run: { _ = try store.report("hosts") },
            baseline: "raw-count", baselineRun: { _ = try store.query("SELECT count(*) FROM op") })
        result.figure = String(format: "%d pushes in %.1f s (%.0f ops/s)", hosts, pushing, Double(hosts * recorded.ops) / pushing)
        return [result]
    }
}

/// A throwaway PostgreSQL cluster for the fleet groups (the tests'
/// ``PostgresCluster``), with fleet stores made in it and loaded by `psql`.
struct BenchCluster {
    let cluster: PostgresCluster

    init(directory: String) throws { cluster = try PostgresCluster(directory: directory) }

    /// A new database `name` with the fleet schema; its URL.
    func database(_ name: String) throws -> String {
        try PostgresTestServer.psql(cluster.url, "CREATE DATABASE \(name)")
        let database = PostgresCluster.url(cluster.url, database: name)
        try FleetStore(url: database).migrate()
        return database
    }

    /// The tables a push fills, in load order.
    static let tables = ["host", "op", "op_change", "object", "object_extent", "chunk", "page_content", "subtree", "boot_memory",
                         "generation", "handover", "content_end", "object_end", "subtree_end", "generation_summary"]

    /// Each table of the store at `database` written by `\copy … TO` into a file in `folder`.
    func dumpTables(of database: String, into folder: URL) throws -> [(table: String, file: String)] {
        let files = Self.tables.map { ($0, folder.appendingPathComponent("fleet-\($0).copy").path) }
        try PostgresTestServer.psql(database, arguments: files.flatMap { ["-c", "\\copy (SELECT * FROM \($0.0)) TO '\($0.1)'"] })
        return files
    }

    /// Loads `files` into the store at `database` with one `psql` running
    /// `\copy … FROM` for each, in one transaction.
    func copy(_ files: [(table: String, file: String)], into database: String) throws {
        try PostgresTestServer.psql(database, arguments: ["-1"] + files.flatMap { ["-c", "\\copy \($0.table) FROM '\($0.file)'"] })
    }
}
