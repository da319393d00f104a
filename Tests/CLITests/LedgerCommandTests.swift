import Foundation
import KHOTestSupport
import Testing

/// simulate → ledger → log / show / audit / plain sqlite3, end to end.
@Suite("Ledger commands")
struct LedgerCommandTests {
    let directory: TemporaryDirectory
    let ledger: String
    let recorded: Int

    init() throws {
        directory = try TemporaryDirectory()
        ledger = directory.path("test.db")
        let scenario = ToolRunner.examples.appendingPathComponent("multi-generation.yaml").path
        let result = try ToolRunner.run(["simulate", scenario, "--ledger", ledger, "--quiet"])
        guard result.status == 0, let line = result.stderr.split(separator: "\n").last(where: { $0.hasPrefix("recorded ") }),
              let count = Int(line.split(separator: " ")[1]) else {
            throw FixtureError("simulate failed: \(result.status) \(result.stderr)")
        }
        recorded = count
    }

    private func kholedger(_ arguments: [String]) throws -> ToolResult {
        try ToolRunner.run(arguments + ["--ledger", ledger])
    }

    @Test func logListsEveryOperation() throws {
        let text = try kholedger(["log"])
        #expect(text.status == 0)
        #expect(text.stdout.split(separator: "\n").count == recorded + 1)

        let json = try kholedger(["log", "--format", "json"])
        let ops = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(ops.count == recorded)
        #expect(ops.map { $0["seq"] as? Int } == Array(1...recorded).map { $0 })

        let csv = try kholedger(["log", "--format", "csv", "--kind", "kexec"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "seq,generation,time,kind,subject,result,args,detail")
        #expect(lines.count == 1 + 3, "three kexecs")

        let gen1 = try kholedger(["log", "--generation", "1", "--format", "json"])
        let gen1Ops = try #require(try JSONSerialization.jsonObject(with: Data(gen1.stdout.utf8)) as? [[String: Any]])
        #expect(!gen1Ops.isEmpty && gen1Ops.allSatisfy { $0["generation"] as? Int == 1 })
    }

    /// A filter that cannot match is one error line, not an empty table.
    @Test(arguments: [
        (["--kind", "preserve_vmaloc"], "error: --kind \"preserve_vmaloc\" is not an operation kind (did you mean \"preserve_vmalloc\"?); "
            + "the kinds are boot, vmalloc, vfree, write, alloc_pages, free_pages, preserve_folio, unpreserve_folio, alloc_folios, preserve_folios, "
            + "unpreserve_folios, preserve_pages, unpreserve_pages, preserve_vmalloc, unpreserve_vmalloc, restore_vmalloc, alloc_preserve, unpreserve_free, restore_free, "
            + "add_subtree, remove_subtree, retrieve_subtree, restore_folio, restore_pages, kexec"),
        (["--kind", "handover"], "error: --kind \"handover\" is not an operation kind; the kinds are boot, "),
        (["--generation", "9"], "error: generation 9 is not in "),
        (["--from", "20", "--to", "10"], "error: --from 20 is after --to 10: no operation lies between them"),
    ])
    func logFilterThatCannotMatchIsAnError(arguments: [String], message: String) throws {
        let result = try kholedger(["log"] + arguments)
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix(message) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        if arguments == ["--generation", "9"] { #expect(result.stderr.hasSuffix(": it has generations 0…3\n")) }
    }

    @Test func showPrintsLayoutAndChunks() throws {
        let json = try kholedger(["log", "--kind", "preserve_vmalloc", "--limit", "1", "--format", "json"])
        let op = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?.first)
        let seq = try #require(op["seq"] as? Int)
        let text = try kholedger(["show", "\(seq)"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("preserve_vmalloc"))
        #expect(text.stdout.contains("  CHUNK  PHYS") && text.stdout.contains("\n      0  0x"), "\(text.stdout)")
        let detail = try kholedger(["show", "\(seq)", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(detail.stdout.utf8)) as? [String: Any])
        let objects = try #require(object["objects"] as? [[String: Any]])
        #expect((objects.first?["chunks"] as? [Any])?.isEmpty == false)
        let extents = try #require(objects.first?["extents"] as? [[String: Any]])
        #expect(!extents.isEmpty)
        // Text for people: flags decoded, frame ranges inclusive (no Swift range syntax).
        #expect(text.stdout.contains(" total_pages 16 order 0 flags 0x1 (ALLOC)\n"), "\(text.stdout)")
        #expect(!text.stdout.contains("..<"))
        // The frames table: FRAMES (a range inclusive), PHYS, ORDER, one row per extent.
        let lines = text.stdout.split(separator: "\n")
        let header = try #require(lines.firstIndex(of: "  FRAMES  PHYS         ORDER"), "\(text.stdout)")
        let frameRows = lines[(header + 1)...].prefix { !$0.hasPrefix("  CHUNK") }.map { $0.split(separator: " ").map(String.init) }
        #expect(frameRows == extents.map { extent in
            let (first, count) = (extent["first_index"] as? Int ?? -1, extent["count"] as? Int ?? -1)
            return [count == 1 ? "\(first)" : "\(first)–\(first + count - 1)", extent["phys"] as? String ?? "?", "\(extent["order"] as? Int ?? -1)"]
        })

        let missing = try kholedger(["show", "999999"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("999999"))
    }

    /// `v_generations` shows what each boot's kernel found in the incoming
    /// kexec-metadata: nothing after the cold boot, then the previous
    /// release (7.1.0, the story's kernel) and the kexec count 1, 2, 3.
    @Test func generationsShowTheKexecChain() throws {
        let result = try ToolRunner.sqlite(ledger, "SELECT generation, kernel, quote(previous_release), quote(kexec_count) FROM v_generations ORDER BY generation")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "0|7.1|NULL|NULL\n1|7.1|'7.1.0'|1\n2|7.1|'7.1.0'|2\n3|7.1|'7.1.0'|3\n")
    }

    /// Each boot's kexec-metadata: `show` of its add_subtree decodes the
    /// blob, and the boot's own args carry what it found (7.1+).
    @Test func showDecodesKexecMetadata() throws {
        let json = try kholedger(["log", "--kind", "add_subtree", "--subject", "kexec-metadata", "--format", "json"])
        let ops = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(ops.count == 4, "one per boot of multi-generation.yaml")
        for (index, op) in ops.enumerated() {
            let seq = try #require(op["seq"] as? Int)
            let text = try kholedger(["show", "\(seq)"])
            #expect(text.stdout.contains("\n  kexec-metadata: previous_release 7.1.0, kexec_count \(index + 1)\n"), "\(text.stdout)")
            let detail = try kholedger(["show", "\(seq)", "--format", "json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(detail.stdout.utf8)) as? [String: Any])
            let subtree = try #require((object["subtrees"] as? [[String: Any]])?.first)
            let metadata = try #require(subtree["kexec_metadata"] as? [String: Any])
            #expect(metadata["kexec_count"] as? Int == index + 1 && metadata["previous_release"] as? String == "7.1.0")
        }
    }

    @Test func auditFindsTampering() throws {
        let clean = try kholedger(["audit", "--chain"])
        #expect(clean.status == 0)
        #expect(clean.stdout.contains("clean: no findings in seqs 1…\(recorded) (checked: chain-break, stored-bytes-altered, view-altered, corrupt-row)"))

        let tamper = try ToolRunner.sqlite(ledger, "UPDATE op SET time = replace(time, 'Z', '0Z') WHERE seq = 5")
        #expect(tamper.status == 0)
        let broken = try kholedger(["audit", "--chain", "--format", "json"])
        #expect(broken.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(broken.stdout.utf8)) as? [String: Any])
        let finding = try #require((report["findings"] as? [[String: Any]])?.first)
        #expect(finding["code"] as? String == "chain-break")
        #expect(finding["seq"] as? Int == 5)
    }

    @Test func plainSQLiteReadsTheViews() throws {
        let frames = try ToolRunner.sqlite(ledger, "SELECT count(*) FROM v_frames")
        #expect(frames.status == 0)
        #expect((Int(frames.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0)
        let generations = try ToolRunner.sqlite(ledger, "SELECT count(*) FROM v_generations")
        #expect(generations.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "4")
    }

    @Test func missingLedgerIsOneClearError() throws {
        let result = try ToolRunner.run(["log", "--ledger", directory.path("absent.db")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("absent.db"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("absent.db")))
    }

    @Test func newerLedgerIsRefused() throws {
        _ = try ToolRunner.sqlite(ledger, "INSERT INTO grdb_migrations (identifier) VALUES ('9000_future')")
        let result = try kholedger(["log"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("newer kholedger"))
        #expect(result.stderr.contains("9000_future"))
    }

    @Test func environmentNamesTheDefaultLedger() throws {
        let other = directory.path("env.db")
        let scenario = ToolRunner.examples.appendingPathComponent("chunk-exact.yaml").path
        let run = try ToolRunner.run(["simulate", scenario, "--quiet"], environment: ["KHOLEDGER_DB": other])
        #expect(run.status == 0)
        #expect(FileManager.default.fileExists(atPath: other))
        let dry = try ToolRunner.run(["simulate", scenario, "--quiet", "--no-ledger"], environment: ["KHOLEDGER_DB": directory.path("dry.db")])
        #expect(dry.status == 0)
        #expect(!FileManager.default.fileExists(atPath: directory.path("dry.db")))
    }
}
