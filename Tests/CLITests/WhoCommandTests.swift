import Foundation
import KHOTestSupport
import Testing

/// `kholedger who` on two example stories, with the answers derived from
/// the scenarios: `audit-scratch-overlap.yaml` preserves the order-2 folio at
/// 0x103800000 (64 MiB of memory at 0x100000000, never written) as its last
/// step; `multi-generation.yaml` preserves the huge 4 MiB journal (two
/// order-9 blocks) in generation 0, restores it in 1, writes 4 KiB at 1 MiB
/// (page 256) and preserves it again page by page (order 0), restores and
/// preserves it in 2 (writing at 3 MiB, not page 256), restores it in 3 and
/// frees it.
@Suite("kholedger who")
struct WhoCommandTests {
    /// One `log --format json` entry.
    func op(_ ledger: SimulatedLedger, _ seq: Int) throws -> [String: Any] {
        let result = try ledger.kholedger(["log", "--from", "\(seq)", "--to", "\(seq)", "--format", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        return try #require(list.first)
    }

    /// The JSON object `who` prints for `arguments`.
    func who(_ ledger: SimulatedLedger, _ arguments: [String]) throws -> NSDictionary {
        NSDictionary(dictionary: try ledger.json(["who"] + arguments))
    }

    @Test func aFolioPageInJSONAndText() throws {
        let ledger = try SimulatedLedger(example: "audit-scratch-overlap.yaml")
        let seq = try #require(try ledger.seqs(["--kind", "preserve_folio"]).last)
        #expect(try ledger.seqs().last == seq, "the preserve is the last operation")
        let time = try #require(try op(ledger, seq)["time"] as? String)
        let expected: [String: Any] = [
            "page": "0x103801000", "pfn": 0x103801, "page_size": 4096, "lineage": 0, "seq": seq, "generation": 0, "known": true,
            // A folio preserved by address is named by its kind and address.
            "held_by": [["name": "folio@0x103800000", "kind": "folio", "role": "page", "index": 1, "description": "folio@0x103800000 page 1"]],
            "preserved": [["phys": "0x103800000", "order": 2, "from_seq": seq]],
            "content": NSNull(),
            "generations": [["generation": 0, "operations": [[
                "seq": seq, "time": time, "kind": "preserve_folio", "subject": NSNull(), "action": "preserve",
                "block": ["phys": "0x103800000", "order": 2], "sha256": NSNull(),
            ]]]],
            "content_history": [],
        ]
        #expect(try who(ledger, ["0x103801234"]) == NSDictionary(dictionary: expected))
        #expect(try who(ledger, ["pfn:1062913"]) == NSDictionary(dictionary: expected))
        #expect(try who(ledger, ["4353692672", "--at", "\(seq)"]) == NSDictionary(dictionary: expected), "decimal 0x103801000")

        let text = try ledger.kholedger(["who", "0x103801fff"])
        #expect(text.status == 0 && text.stderr.isEmpty, "\(text.stderr)")
        // Numbers are right-aligned under a right-aligned heading.
        let width = max(3, "\(seq)".count)
        let seqColumn = String(repeating: " ", count: width - 3) + "SEQ"
        let seqCell = String(repeating: " ", count: width - "\(seq)".count) + "\(seq)"
        #expect(text.stdout == """
            page 0x103801000 (pfn 1062913), 4 KiB pages, lineage 0, as of seq \(seq) (generation 0)
            held by: folio@0x103800000 page 1 (folio)
            preserved: 0x103800000 order 2 since seq \(seq)
            content: zero

            generation 0:
            \(seqColumn)  TIME                      KIND            SUBJECT  ACTION    BLOCK                SHA256
            \(seqCell)  \(time)  preserve_folio  -        preserve  0x103800000 order 2  -

            """)
    }

    @Test func aJournalPageOverFourGenerations() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let base = try ToolRunner.sqlite(ledger.path, """
            SELECT phys FROM object_extent e JOIN object o ON o.id = e.object_id
            WHERE o.name = 'journal' AND o.generation = 0 AND e.first_index = 0
            """).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let block = try #require(UInt64(base))
        let page = block + 256 * 4096
        func seqs(_ kind: String, _ generation: Int) throws -> [Int] {
            try ledger.seqs(["--kind", kind, "--subject", "journal", "--generation", "\(generation)"])
        }
        let writes = try ledger.seqs(["--kind", "write", "--subject", "journal"])
        #expect(writes.count == 3, "the fill, the write at 1 MiB, the write at 3 MiB")
        let preserved = try seqs("preserve_vmalloc", 0) + seqs("preserve_vmalloc", 1) + seqs("preserve_vmalloc", 2)
        let restored = try seqs("restore_vmalloc", 1) + seqs("restore_vmalloc", 2) + seqs("restore_vmalloc", 3)
        let huge = ["phys": "0x" + String(block, radix: 16), "order": 9] as [String: Any]
        let single = ["phys": "0x" + String(page, radix: 16), "order": 0] as [String: Any]

        // The page's bytes as restore --area returns them, at each handover.
        func content(at point: String) throws -> String {
            let file = ledger.directory.path("journal-\(point).bin")
            #expect(try ledger.kholedger(["restore", "--area", "journal", "--at", point, "-o", file]).status == 0)
            return sha256Hex(try Data(contentsOf: URL(fileURLWithPath: file))[(1 << 20) ..< (1 << 20) + 4096])
        }
        let (original, rewritten) = (try content(at: "gen:0"), try content(at: "gen:1"))

        let json = try ledger.json(["who", "pfn:\(page >> 12)", "--generation", "1"])
        let kexec = try ledger.seq(of: "kexec", generation: 1)
        #expect(json["page"] as? String == "0x" + String(page, radix: 16) && json["seq"] as? Int == kexec)
        #expect(NSArray(array: try #require(json["held_by"] as? [Any])) == NSArray(array: [
            ["name": "journal", "kind": "restored_vmalloc", "role": "page", "index": 256, "description": "journal page 256"],
            ["name": "journal", "kind": "vmalloc", "role": "page", "index": 256, "description": "journal page 256"],
        ]))
        #expect(NSArray(array: try #require(json["preserved"] as? [Any])) == NSArray(array: [
            ["phys": "0x" + String(page, radix: 16), "order": 0, "from_seq": preserved[1]],
        ]))
        let now = try #require(json["content"] as? [String: Any])
        #expect(now["sha256"] as? String == rewritten && now["from_seq"] as? Int == writes[1] && now["until_seq"] is NSNull)
        let history = try #require(json["content_history"] as? [[String: Any]])
        #expect(history.map { $0["sha256"] as? String } == [original, rewritten])
        #expect(history.map { $0["from_seq"] as? Int } == [writes[0], writes[1]])
        #expect(history.map { $0["until_seq"] as? Int } == [writes[1], nil])

        let generations = try #require(json["generations"] as? [[String: Any]])
        #expect(generations.map { $0["generation"] as? Int } == [0, 1, 2, 3])
        let operations = generations.flatMap { $0["operations"] as? [[String: Any]] ?? [] }
        let expected: [(Int, String, String, [String: Any]?)] = [
            (writes[0], "write", "write", nil), (preserved[0], "preserve_vmalloc", "preserve", huge),
            (restored[0], "restore_vmalloc", "restore", huge), (writes[1], "write", "write", nil),
            (preserved[1], "preserve_vmalloc", "preserve", single),
            (restored[1], "restore_vmalloc", "restore", single), (preserved[2], "preserve_vmalloc", "preserve", single),
            (restored[2], "restore_vmalloc", "restore", single),
        ]
        #expect(operations.map { $0["seq"] as? Int } == expected.map(\.0))
        #expect(operations.map { $0["kind"] as? String } == expected.map(\.1))
        #expect(operations.map { $0["action"] as? String } == expected.map(\.2))
        #expect(operations.map { ($0["block"] as? [String: Any]).map(NSDictionary.init) }
            == expected.map { $0.3.map { NSDictionary(dictionary: $0) } })
        #expect(operations.map { $0["sha256"] as? String } == [original, nil, nil, rewritten, nil, nil, nil, nil])

        // After generation 3 frees the journal nothing holds the page; its content stays.
        let end = try ledger.json(["who", "0x" + String(page, radix: 16)])
        #expect((end["held_by"] as? [Any])?.isEmpty == true && (end["preserved"] as? [Any])?.isEmpty == true)
        #expect((end["content"] as? [String: Any])?["sha256"] as? String == rewritten)
    }

    @Test func theRootFDTAndTrackerPagesAreNamed() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let row = try ToolRunner.sqlite(ledger.path, "SELECT fdt_phys, tracker_root, kexec_seq FROM generation WHERE generation = 1")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
        let (fdt, root) = (try #require(UInt64(row[0])), try #require(UInt64(row[1])))
        for point in ["gen:1+0", "gen:1"] {
            let json = try ledger.json(["who", "\(fdt)", "--at", point])
            #expect((json["held_by"] as? [[String: Any]])?.map { $0["role"] as? String } == ["root_fdt"], "\(point)")
            let tracker = try ledger.json(["who", "\(root)", "--at", point])
            #expect((tracker["held_by"] as? [[String: Any]])?.map { $0["description"] as? String } == ["tracker node"], "\(point)")
        }
        // The root node's bytes are recorded when the kexec hands the tracker over, and scrubbed at the next boot.
        let tracker = try ledger.json(["who", "\(root)", "--generation", "1"])
        let history = try #require(tracker["content_history"] as? [[String: Any]])
        #expect(history.map { $0["from_seq"] as? Int } == [Int(row[2])] && history.map { $0["until_seq"] as? Int } == [Int(row[2])! + 1])
    }

    @Test func aPageNothingTouchedIsAnAnswer() throws {
        let ledger = try SimulatedLedger(example: "audit-scratch-overlap.yaml")
        let result = try ledger.kholedger(["who", "0x100000000"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let last = try #require(try ledger.seqs().last)
        #expect(result.stdout == "the ledger never saw page 0x100000000 (pfn 1048576) of lineage 0: nothing held, preserved, "
            + "restored or wrote it (the point: seq \(last), generation 0)\n")
        #expect(try ledger.json(["who", "0x100000000"])["known"] as? Bool == false)
    }

    @Test(arguments: [
        (["who", "0x10zz"], 1, "error: address \"0x10zz\" is not an address: use 0x… hexadecimal or decimal\n"),
        (["who", "pfn:x1"], 1, "error: address \"pfn:x1\" is not a page frame number: use pfn:N with N decimal or 0x… hexadecimal\n"),
        (["who", "pfn:1048575"], 1, "error: pfn:1048575 (0xfffff000) is outside generation 0's memory [0x100000000, 0x104000000)\n"),
        (["who", "0x104000000"], 1, "error: 0x104000000 is outside generation 0's memory [0x100000000, 0x104000000)\n"),
        (["who", "pfn:0x10000000000000"], 1, "error: pfn:4503599627370496 is beyond any address: 4503599627370496 × 4096 bytes does not fit in 64 bits\n"),
        (["who", "0x103800000", "--generation", "7"], 1, "error: point gen:7 is outside the ledger: generations are 0…0\n"),
        (["who", "0x103800000", "--at", "1", "--generation", "0"], 64,
         "error: --at and --generation both name the point: give one (see 'kholedger who --help' for more information)\n"),
    ])
    func badInputIsOneLine(arguments: [String], status: Int32, message: String) throws {
        let ledger = try SimulatedLedger(example: "audit-scratch-overlap.yaml")
        let result = try ledger.kholedger(arguments)
        #expect(result.status == status && result.stdout.isEmpty)
        #expect(result.stderr == message)
    }

    @Test func anAlteredStoredPageFailsNamingIt() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        // The stored bytes of the state area's first page as generation 1 wrote it ("gen1 gen0 ").
        let row = try ToolRunner.sqlite(ledger.path, """
            SELECT c.phys, c.from_seq, c.data_id FROM page_content c JOIN page_data d ON d.id = c.data_id
            WHERE substr(d.bytes, 1, 10) = CAST('gen1 gen0 ' AS BLOB) ORDER BY c.from_seq LIMIT 1
            """).stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
        let (phys, seq, id) = (try #require(UInt64(row[0])), row[1], row[2])
        #expect(try ledger.kholedger(["who", "\(phys)"]).status == 0)

        _ = try ToolRunner.sqlite(ledger.path, "PRAGMA wal_checkpoint(TRUNCATE)")
        var file = try Data(contentsOf: URL(fileURLWithPath: ledger.path))
        let found = try #require(file.range(of: Data("gen1 gen0 ".utf8)))
        file[found.lowerBound + 1] ^= 0x01
        try file.write(to: URL(fileURLWithPath: ledger.path))

        let result = try ledger.kholedger(["who", "\(phys)"])
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(result.stderr == "error: the page at 0x\(String(phys, radix: 16)) as of seq \(seq) was altered in the ledger: "
            + "its bytes (page_data id \(id)) do not match their SHA-256\n")
    }
}
