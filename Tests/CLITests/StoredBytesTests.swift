import Foundation
import KHOTestSupport
import Testing

/// Every stored byte is covered: a one-byte change of a stored page in the
/// ledger file, or of a chunk page, subtree blob or root FDT copy, is named
/// by `audit --chain`, and `restore --area` and `export` refuse to return
/// bytes read from an altered page.
@Suite("stored bytes")
struct StoredBytesTests {
    let ledger: SimulatedLedger

    init() throws { ledger = try SimulatedLedger(example: "multi-generation.yaml") }

    func sql(_ query: String) throws -> String {
        let result = try ToolRunner.sqlite(ledger.path, query)
        guard result.status == 0 else { throw FixtureError("sqlite3 \(query): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `audit --chain --format json`'s findings as (code, seq, subject, message).
    func integrityFindings() throws -> [(code: String, seq: Int, subject: String, message: String)] {
        let result = try ledger.kholedger(["audit", "--chain", "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(result.status == ((report["findings"] as? [Any])?.isEmpty == true ? 0 : 1))
        return (report["findings"] as? [[String: Any]] ?? []).map {
            ($0["code"] as? String ?? "", $0["seq"] as? Int ?? 0, $0["subject"] as? String ?? "", $0["message"] as? String ?? "")
        }
    }

    /// SQL that gives `column` with its byte at 1-based `position` changed.
    static func flipped(_ column: String, at position: Int) -> String {
        // `||` makes text: the cast keeps the column a blob, as a byte edited in place would.
        "CAST(substr(\(column), 1, \(position - 1)) || CASE WHEN substr(\(column), \(position), 1) = X'00' THEN X'01' ELSE X'00' END "
            + "|| substr(\(column), \(position + 1)) AS BLOB)"
    }

    @Test func aPageChangedInTheFileIsNamedAndNeverReturned() throws {
        #expect(try integrityFindings().isEmpty)
        // A page of the journal area as handed over by generation 0, and the first seq holding it.
        let kexec = try sql("SELECT kexec_seq FROM generation WHERE generation = 0")
        let row = try sql("""
            SELECT c.data_id, printf('0x%x', c.phys), c.from_seq, hex(d.bytes) FROM page_content c JOIN page_data d ON d.id = c.data_id
            JOIN object o ON o.kind = 'vmalloc' AND o.name = 'journal' AND o.generation = 0 JOIN object_extent e ON e.object_id = o.id
            WHERE c.phys >= e.phys AND c.phys < e.phys + (e.count << (12 + e.ord)) AND c.from_seq <= \(kexec)
              AND (c.to_seq IS NULL OR c.to_seq > \(kexec)) AND c.from_seq = (SELECT min(from_seq) FROM page_content WHERE data_id = c.data_id)
            ORDER BY c.phys LIMIT 1
            """).split(separator: "|").map(String.init)
        let (id, phys, seq) = (row[0], row[1], try #require(Int(row[2])))
        let page = Data(try #require([UInt8](hexText: row[3])))

        // One byte of the page, changed in the file itself, not through SQLite.
        _ = try sql("PRAGMA wal_checkpoint(TRUNCATE)")
        var file = try Data(contentsOf: URL(fileURLWithPath: ledger.path))
        let found = try #require(file.range(of: page))
        #expect(file.range(of: page, in: found.upperBound ..< file.endIndex) == nil, "the page's bytes are stored once")
        file[found.lowerBound + 100] ^= 0x01
        try file.write(to: URL(fileURLWithPath: ledger.path))

        let findings = try integrityFindings()
        #expect(findings.count == 1)
        #expect(findings.first?.code == "stored-bytes-altered" && findings.first?.seq == seq && findings.first?.subject == phys)
        #expect(findings.first?.message == "page_data id \(id), the page at \(phys) from seq \(seq): its bytes do not match their SHA-256")

        let altered = "the page at \(phys) as of seq \(kexec) was altered in the ledger: its bytes (page_data id \(id)) do not match their SHA-256"
        let output = ledger.directory.path("journal.bin")
        let restore = try ledger.kholedger(["restore", "--area", "journal", "--at", "gen:0", "-o", output])
        #expect(restore.status == 1 && restore.stdout.isEmpty && restore.stderr.contains(altered), "\(restore.stderr)")
        #expect(restore.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: output))

        let image = ledger.directory.path("h.elf")
        let export = try ledger.kholedger(["export", "--at", "gen:0", "--image", image, "--fdt", ledger.directory.path("h.dtb")])
        #expect(export.status == 1 && export.stderr.contains(altered), "\(export.stderr)")
        #expect(!FileManager.default.fileExists(atPath: image))
    }

    @Test(arguments: [
        ("chunk", "bytes", "object_id = (SELECT min(object_id) FROM chunk) AND idx = 0", 100),
        ("subtree", "blob", "id = (SELECT min(id) FROM subtree WHERE blob IS NOT NULL)", 4),
        ("generation", "root_fdt", "generation = 1", 100),
    ])
    func aCopyChangedInTheFileIsNamed(table: String, column: String, row: String, position: Int) throws {
        _ = try sql("UPDATE \(table) SET \(column) = \(Self.flipped(column, at: position)) WHERE \(row)")
        let expected: (seq: String, subject: String, what: String) = switch table {
        case "chunk":
            (try sql("SELECT o.from_seq FROM chunk c JOIN object o ON o.id = c.object_id WHERE c.\(row)"),
             try sql("SELECT o.name FROM chunk c JOIN object o ON o.id = c.object_id WHERE c.\(row)"),
             try sql("SELECT 'chunk 0 of area ' || o.name || ' (object ' || c.object_id || ') at ' || printf('0x%x', c.phys) FROM chunk c JOIN object o ON o.id = c.object_id WHERE c.\(row)"))
        case "subtree":
            (try sql("SELECT from_seq FROM subtree WHERE \(row)"), try sql("SELECT name FROM subtree WHERE \(row)"),
             try sql("SELECT 'the blob of subtree ' || name || ' (subtree ' || id || ') at ' || printf('0x%x', phys) FROM subtree WHERE \(row)"))
        default:
            (try sql("SELECT kexec_seq FROM generation WHERE \(row)"), "root FDT",
             try sql("SELECT 'the root FDT of generation 1 at ' || printf('0x%x', fdt_phys) FROM generation WHERE \(row)"))
        }
        let altered = try integrityFindings().filter { $0.code == "stored-bytes-altered" }
        #expect(altered.count == 1)
        #expect(altered.first.map { "\($0.seq)" } == expected.seq && altered.first?.subject == expected.subject)
        #expect(altered.first?.message == "\(expected.what) differs from the memory it was taken from at seq \(expected.seq), first at byte \(position - 1)")
    }

    @Test func anAlteredRootFDTIsNotExported() throws {
        _ = try sql("UPDATE generation SET root_fdt = \(Self.flipped("root_fdt", at: 100)) WHERE generation = 1")
        let phys = try sql("SELECT printf('0x%x', fdt_phys) FROM generation WHERE generation = 1")
        let image = ledger.directory.path("h.elf")
        let export = try ledger.kholedger(["export", "--at", "gen:1", "--image", image, "--fdt", ledger.directory.path("h.dtb")])
        #expect(export.status == 1, "\(export.stdout)")
        #expect(export.stderr == "error: the root FDT stored for generation 1's handover was altered in the ledger: it differs from its page at \(phys)\n")
        #expect(!FileManager.default.fileExists(atPath: image))
    }
}
