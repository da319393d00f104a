import Foundation
import KHOTestSupport
import Testing

/// `kholedger simulate --events` then `kholedger record`: the recorded
/// ledger answers `state`, `restore --area` and `diff` exactly as the
/// simulated one, at every handover, and holds the same derived rows.
@Suite("record round trip")
struct RecordRoundTripTests {
    /// A simulated ledger, its event stream, and that stream recorded into a second ledger.
    struct Pair {
        let directory: TemporaryDirectory
        var simulated: String { directory.path("simulated.db") }
        var recorded: String { directory.path("recorded.db") }
        var stream: String { directory.path("events.jsonl") }

        init(example: String) throws {
            directory = try TemporaryDirectory("record-round-trip")
            let scenario = ToolRunner.examples.appendingPathComponent(example).path
            let simulate = try ToolRunner.run(["simulate", scenario, "--ledger", simulated, "--events", stream, "--quiet"])
            guard simulate.status == 0 else { throw FixtureError("simulate \(example): \(simulate.stderr)") }
            let record = try ToolRunner.run(["record", stream, "--ledger", recorded, "--format", "json"])
            guard record.status == 0 else { throw FixtureError("record \(example): \(record.stderr)") }
        }

        /// `kholedger arguments…` on both ledgers; both must succeed.
        func both(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> (simulated: String, recorded: String) {
            let a = try ToolRunner.run(arguments + ["--ledger", simulated])
            let b = try ToolRunner.run(arguments + ["--ledger", recorded])
            #expect(a.status == 0, "\(arguments): \(a.stderr)", sourceLocation: sourceLocation)
            #expect(b.status == 0, "\(arguments): \(b.stderr)", sourceLocation: sourceLocation)
            return (a.stdout, b.stdout)
        }

        func sql(_ database: String, _ query: String) throws -> String {
            let result = try ToolRunner.sqlite(database, query)
            guard result.status == 0 else { throw FixtureError("sqlite3 \(query): \(result.stderr)") }
            return result.stdout
        }
    }

    static let examples = ["multi-generation.yaml", "errors.yaml", "memfd-luo.yaml", "page-16k.yaml", "chunk-exact.yaml"]

    @Test(arguments: examples)
    func stateAndRestoresAgreeAtEveryHandover(example: String) throws {
        let pair = try Pair(example: example)
        let generations = try pair.sql(pair.simulated, "SELECT generation FROM generation WHERE kexec_seq IS NOT NULL ORDER BY generation")
            .split(separator: "\n").map { "gen:\($0)" }
        let last = try pair.sql(pair.simulated, "SELECT max(seq) FROM op").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!generations.isEmpty || example == "errors.yaml")
        var restores = 0
        for point in generations + [last] {
            let state = try pair.both(["state", "--at", point, "--format", "json", "--all"])
            #expect(state.simulated == state.recorded, "state at \(point)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(state.simulated.utf8)) as? [String: Any])
            let areas = Set((document["areas"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
            for area in areas.sorted() {
                let a = try ToolRunner.run(["restore", "--area", area, "--at", point, "-o", pair.directory.path("a.bin"), "--format", "json", "--ledger", pair.simulated])
                let b = try ToolRunner.run(["restore", "--area", area, "--at", point, "-o", pair.directory.path("b.bin"), "--format", "json", "--ledger", pair.recorded])
                #expect(a.status == b.status && a.stdout == b.stdout && a.stderr == b.stderr, "restore \(area) at \(point)")
                if a.status == 0 {
                    restores += 1
                    #expect(try Data(contentsOf: pair.directory.url.appendingPathComponent("a.bin")) == Data(contentsOf: pair.directory.url.appendingPathComponent("b.bin")))
                }
            }
        }
        #expect(restores > 0 || example == "errors.yaml", "no area was restored")
        if generations.count >= 2 {
            let diff = try pair.both(["diff", generations[0], generations[1], "--format", "json"])
            #expect(diff.simulated == diff.recorded)
        }
    }

    /// Every row derived from the ops is the same; only times and the generation's source differ.
    @Test(arguments: examples)
    func derivedRowsAreIdentical(example: String) throws {
        let pair = try Pair(example: example)
        let queries = [
            "SELECT seq, generation, kind, subject, args, result, errno, detail FROM op ORDER BY seq",
            "SELECT * FROM op_change ORDER BY seq, part",
            "SELECT generation, phys, ord, count, from_seq, to_seq FROM preserved_run ORDER BY id",
            "SELECT * FROM object ORDER BY id",
            "SELECT * FROM object_extent ORDER BY object_id, first_index",
            "SELECT object_id, idx, phys, next, entries, hex(bytes) FROM chunk ORDER BY object_id, idx",
            "SELECT lineage, phys, from_seq, to_seq, data_id FROM page_content ORDER BY lineage, phys, from_seq",
            "SELECT id, hex(hash) FROM page_data ORDER BY id",
            "SELECT generation, direction, name, phys, size, hex(blob), from_seq, to_seq FROM subtree ORDER BY id",
            "SELECT generation, parent, lineage, boot_number, abi, page_size, memory_base, memory_size, boot_seq, kexec_seq, tracker_root, fdt_phys, hex(root_fdt) FROM generation",
        ]
        for query in queries {
            let simulated = try pair.sql(pair.simulated, query)
            #expect(!simulated.isEmpty || query.contains("subtree") || query.contains("chunk"), "\(query) is empty")
            #expect(simulated == (try pair.sql(pair.recorded, query)), "\(query)")
        }
        #expect(try pair.sql(pair.recorded, "SELECT DISTINCT source, machine IS NULL FROM generation") == "record|1\n")
        let audit = try ToolRunner.run(["audit", "--chain", "--ledger", pair.recorded])
        #expect(audit.status == 0, "\(audit.stdout) \(audit.stderr)")
    }

    /// `record --check` reads the stream as `record` does and counts the
    /// operations it records, but writes no ledger.
    @Test(arguments: ["multi-generation.yaml", "page-16k.yaml"])
    func checkCountsWhatIsRecordedAndWritesNothing(example: String) throws {
        let pair = try Pair(example: example)
        let unused = pair.directory.path("unused.db")
        let check = try ToolRunner.run(["record", pair.stream, "--check", "--ledger", unused])
        #expect(check.status == 0, "\(check.stderr)")
        let operations = try pair.sql(pair.recorded, "SELECT count(*) FROM op").trimmingCharacters(in: .whitespacesAndNewlines)
        let lines = try String(contentsOfFile: pair.stream, encoding: .utf8).split(separator: "\n").count
        #expect(check.stdout.hasPrefix("checked: \(operations) operations would be recorded from \(lines) lines: "), "\(check.stdout)")
        #expect(!FileManager.default.fileExists(atPath: unused))
    }

    /// The stream read from standard input records the same as from the file.
    @Test func standardInput() throws {
        let pair = try Pair(example: "multi-generation.yaml")
        let piped = pair.directory.path("piped.db")
        let result = try ToolRunner.run(["record", "-", "--ledger", piped], stdin: Data(contentsOf: URL(fileURLWithPath: pair.stream)))
        #expect(result.status == 0, "\(result.stderr)")
        let query = "SELECT count(*), sum(length(args)) FROM op"
        #expect(try pair.sql(piped, query) == (try pair.sql(pair.simulated, query)))
    }
}
