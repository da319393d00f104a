import Foundation
import KHOTestSupport
import Testing

/// `kholedger state`: text and JSON, points, errors; checked against the
/// README's plain-SQL query over the views.
@Suite("state command")
struct StateCommandTests {
    let ledger: SimulatedLedger

    init() throws { ledger = try SimulatedLedger(example: "multi-generation.yaml") }

    @Test func jsonAtAHandoverMatchesTheViews() throws {
        let kexec = try ledger.seq(of: "kexec", generation: 1)
        let state = try ledger.json(["state", "--at", "gen:1"])
        #expect(state["seq"] as? Int == kexec)
        #expect(state["generation"] as? Int == 1)

        let preserved = try #require(state["preserved"] as? [[String: Any]])
        let blocks = Set(preserved.compactMap { block in (block["phys"] as? String).map { "\($0) \(block["order"] as? Int ?? -1)" } })
        let sql = try ToolRunner.sqlite(ledger.path, """
            SELECT phys || ' ' || "order" FROM v_preserved WHERE generation = 1 AND from_seq <= \(kexec) AND (to_seq IS NULL OR to_seq > \(kexec))
            """)
        #expect(blocks == Set(sql.stdout.split(separator: "\n").map(String.init)))
        #expect(blocks.count == preserved.count && !blocks.isEmpty)

        let areas = try #require(state["areas"] as? [[String: Any]])
        let preservedAreas = areas.filter { $0["kind"] as? String == "vmalloc" }
        #expect(preservedAreas.compactMap { $0["name"] as? String } == ["state", "journal"])
        #expect(preservedAreas.compactMap { $0["total_pages"] as? Int } == [16, 1024])
        // Restored in generation 1 and preserved again: a restored area maps no huge order, so 0.
        #expect(preservedAreas.compactMap { $0["order"] as? Int } == [0, 0])
        #expect(preservedAreas.allSatisfy { ($0["descriptor_phys"] as? String)?.hasPrefix("0x") == true && $0["flags"] is Int })

        let subtrees = try #require(state["subtrees"] as? [[String: Any]])
        #expect(subtrees.contains { $0["name"] as? String == "app" && $0["size"] as? Int == 32 && ($0["phys"] as? String)?.hasPrefix("0x") == true })
        let totals = try #require(state["totals"] as? [String: Any])
        let bytes = preserved.reduce(0) { $0 + (4096 << ($1["order"] as? Int ?? 0)) }
        #expect(totals["preserved_bytes"] as? Int == bytes)
        #expect(totals["memory_bytes"] as? Int == 256 << 20)
    }

    @Test func textStartsWithASummary() throws {
        let result = try ledger.kholedger(["state"])
        #expect(result.status == 0 && result.stderr.isEmpty)
        let last = try ledger.seqs().max() ?? 0
        #expect(result.stdout.hasPrefix("seq \(last), generation 3 (lineage 0), 4 KiB pages, memory 256 MiB at 0x100000000\npreserved: "))

        let atHandover = try ledger.kholedger(["state", "--at", "gen:1"]).stdout
        let lines = atHandover.split(separator: "\n").map(String.init)
        // state (16 pages, 1 chunk), journal re-preserved at order 0 (1024 pages, 3 chunks), the
        // descriptor blob, the root FDT and kexec-metadata pages: 1047 blocks of 4 KiB.
        #expect(lines[1].hasPrefix("preserved: 1047 blocks, 4188 KiB; not preserved: "))
        #expect(lines[2] == "areas: 4 (8320 KiB), objects: 2 (8 KiB), subtrees: 4")
        #expect(atHandover.contains("\nareas:\nKIND "))
        #expect(atHandover.contains("\nsubtrees:\nDIRECTION "))
        #expect(atHandover.contains("\npreserved blocks by order:\nORDER  BLOCKS     BYTES\n    0    1047  4188 KiB\n"), "\(atHandover)")
        #expect(atHandover.contains("\npreserved runs (contiguous blocks of one order):\n"))
    }

    @Test func allListsEveryBlock() throws {
        let state = try ledger.json(["state", "--at", "gen:0"])
        let count = try #require((state["preserved"] as? [Any])?.count)
        let text = try ledger.kholedger(["state", "--at", "gen:0", "--all"]).stdout
        let table = try #require(text.components(separatedBy: "\npreserved blocks:\n").last)
        #expect(table.split(separator: "\n").count == 1 + count)
    }

    @Test func pointsInEverySyntax() throws {
        let boot = try ledger.json(["state", "--at", "gen:2+0"])
        #expect(boot["seq"] as? Int == (try ledger.seq(of: "boot", generation: 2)))
        let seq = try ledger.json(["state", "--at", "7"])
        #expect(seq["seq"] as? Int == 7 && seq["generation"] as? Int == 0)
        let future = try ledger.json(["state", "--at", "2999-01-01T00:00:00Z"])
        #expect(future["seq"] as? Int == (try ledger.json(["state"]))["seq"] as? Int)
    }

    @Test(arguments: [
        ("bogus", "error: cannot read point in time \"bogus\""),
        ("99999", "error: point 99999 is outside the ledger: the ledger ends at seq"),
        ("gen:9", "error: point gen:9 is outside the ledger: generations are 0…3"),
        ("gen:1+999", "error: point gen:1+999 is outside the ledger: generation 1 has"),
        ("2000-01-01T00:00:00Z", "is outside the ledger: the first operation is at"),
    ])
    func badPointIsOneErrorLine(point: String, message: String) throws {
        let result = try ledger.kholedger(["state", "--at", point])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func missingLedgerIsOneErrorLine() throws {
        let result = try ToolRunner.run(["state", "--ledger", ledger.directory.path("absent.db")])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("absent.db"))
    }
}
