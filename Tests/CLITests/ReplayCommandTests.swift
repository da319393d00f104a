import Foundation
import KHOTestSupport
import Testing

/// `kholedger replay --verify` end to end: a match, a tampered ledger, and
/// ledgers it cannot replay.
@Suite("kholedger replay")
struct ReplayCommandTests {
    static let scenario = """
        machine: {page_size: 16384, memory: 64MiB, seed: 11}
        steps:
          - vmalloc: {name: state, size: 5 pages, text: "gen0 "}
          - alloc_preserve: {size: 16, as: desc}
          - preserve_vmalloc: {area: state, descriptor: desc}
          - add_subtree: {name: app, blob: desc}
          - kexec
          - retrieve_subtree: {name: app, as: in}
          - restore_vmalloc: {descriptor: in, as: state}
          - write: {area: state, offset: 0, text: "gen1 "}
          - restore_vmalloc: {descriptor: in, as: again}
            expect: NULL
        """

    let simulated: SimulatedLedger
    var directory: TemporaryDirectory { simulated.directory }
    var ledger: String { simulated.path }
    let ops: Int

    init() throws {
        simulated = try SimulatedLedger(yaml: Self.scenario, prefix: "replay-command")
        ops = Int(try ToolRunner.sqlite(simulated.path, "SELECT count(*) FROM op").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    private func replay(_ arguments: [String]) throws -> ToolResult {
        try ToolRunner.run(["replay"] + arguments + ["--ledger", ledger])
    }

    private func json(_ result: ToolResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func theReplayMatches() throws {
        let text = try replay(["--verify"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout == "lineage 0: 2 generations, \(ops) ops, all reproduced\nreplay matches the ledger: \(ops) ops reproduced\n")
        #expect(try replay([]).stdout == text.stdout, "--verify is the default")

        let report = try json(try replay(["--verify", "--format", "json"]))
        #expect(report["matches"] as? Bool == true)
        #expect(report["verified_ops"] as? Int == ops)
        #expect(report["divergence"] == nil)
        #expect((report["lineages"] as? [[String: Any]])?.first?["verified"] as? Int == ops)
    }

    @Test func aTamperedExtentIsNamed() throws {
        let seq = try ToolRunner.sqlite(ledger, "SELECT min(seq) FROM op WHERE kind = 'preserve_vmalloc'").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let tamper = try ToolRunner.sqlite(ledger, """
            UPDATE object_extent SET phys = phys + 16384 WHERE object_id = (SELECT id FROM object WHERE from_seq = \(seq)) AND first_index = 0
            """)
        #expect(tamper.status == 0, "\(tamper.stderr)")
        let text = try replay(["--verify"])
        #expect(text.status == 1)
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.first == "lineage 0: 2 generations, \(ops) ops, \(Int(seq)! - 1) reproduced before the divergence")
        #expect(lines.last?.hasPrefix("DIVERGED seq \(seq) (preserve_vmalloc): object_extent: row {name: \"state\", index: 0}: phys recorded 0x")
            == true, "\(text.stdout)")

        let json = try replay(["--verify", "--format", "json"])
        #expect(json.status == 1)
        let divergence = try #require(try self.json(json)["divergence"] as? [String: Any])
        #expect(divergence["seq"] as? Int == Int(seq))
        #expect(divergence["table"] as? String == "object_extent")
        #expect(divergence["kind"] as? String == "preserve_vmalloc")
    }

    @Test func aTamperedChunkByteIsNamed() throws {
        let tamper = try ToolRunner.sqlite(ledger, """
            UPDATE chunk SET bytes = CAST(substr(bytes, 1, 8) || x'ff' || substr(bytes, 10) AS BLOB) WHERE idx = 0
              AND object_id = (SELECT min(id) FROM object WHERE kind = 'vmalloc')
            """)
        #expect(tamper.status == 0, "\(tamper.stderr)")
        let result = try replay([])
        #expect(result.status == 1)
        #expect(result.stdout.contains("(preserve_vmalloc): chunk: row {name: \"state\", idx: 0}: bytes differ at byte 8 of 16384: recorded 0xff"),
                "\(result.stdout)")
    }

    @Test func noLedgerCannotRun() throws {
        let result = try ToolRunner.run(["replay", "--verify", "--ledger", directory.path("none.db")])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: replay could not run: no ledger at"), "\(result.stderr)")
    }

    @Test func nothingReplayableCannotRun() throws {
        #expect(try ToolRunner.sqlite(ledger, "UPDATE generation SET machine = NULL").status == 0)
        let result = try replay(["--verify"])
        #expect(result.status == 2)
        #expect(result.stdout.hasPrefix("lineage 0: 2 generations, \(ops) ops, skipped: generation 0 has no machine configuration"))
        #expect(result.stderr == "error: replay could not run: no lineage of the ledger can be replayed\n")
    }
}
