import Foundation
import KHOTestSupport
import Testing

/// A ledger recorded by `kholedger simulate`, in a fresh directory: the
/// shared fixture of the CLI tests that read a ledger.
struct SimulatedLedger {
    let directory: TemporaryDirectory
    let path: String

    /// Records `Examples/<example>`.
    init(example: String) throws {
        try self.init(scenario: ToolRunner.examples.appendingPathComponent(example).path, in: TemporaryDirectory())
    }

    /// Records a scenario given as YAML text.
    init(yaml: String, prefix: String = "kholedger") throws {
        let directory = try TemporaryDirectory(prefix)
        try self.init(scenario: directory.write("story.yaml", yaml), in: directory)
    }

    /// A ledger some other command made at `path`, in `directory`.
    init(directory: TemporaryDirectory, path: String) {
        self.directory = directory
        self.path = path
    }

    private init(scenario: String, in directory: TemporaryDirectory) throws {
        self.directory = directory
        path = directory.path("test.db")
        let result = try ToolRunner.run(["simulate", scenario, "--ledger", path, "--quiet"])
        guard result.status == 0 else { throw FixtureError("simulate failed: \(result.status) \(result.stderr)") }
    }

    /// Runs `kholedger arguments… --ledger <this ledger>`.
    func kholedger(_ arguments: [String]) throws -> ToolResult {
        try ToolRunner.run(arguments + ["--ledger", path])
    }

    /// Runs a command with `--format json` and decodes its object.
    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try kholedger(arguments + ["--format", "json"])
        guard result.status == 0 else { throw FixtureError("\(arguments) failed: \(result.stderr)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// The seqs `kholedger log` lists with `filters`.
    func seqs(_ filters: [String] = []) throws -> [Int] {
        let ops = try kholedger(["log", "--format", "json"] + filters)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(ops.stdout.utf8)) as? [[String: Any]])
        return list.compactMap { $0["seq"] as? Int }
    }

    /// The seq of the first operation of `kind` in `generation`.
    func seq(of kind: String, generation: Int) throws -> Int {
        try #require(try seqs(["--kind", kind, "--generation", "\(generation)"]).first)
    }
}
