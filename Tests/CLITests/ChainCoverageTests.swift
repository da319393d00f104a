import Foundation
import KHOTestSupport
import Testing

/// `audit --chain` covers every value the answers read: each generation
/// column, every interval end (`to_seq`), the preserved-block runs and
/// `ledger_meta`. One value changed in a copy of a recorded ledger is a
/// `chain-break` naming the table and row.
@Suite("Chain coverage")
struct ChainCoverageTests {
    /// Examples/multi-generation.yaml (four generations, 7.1, restores and
    /// subtrees), recorded once; each case alters a copy.
    private static let recorded = Result { try SimulatedLedger(example: "multi-generation.yaml") }

    private func copy() throws -> SimulatedLedger {
        let directory = try TemporaryDirectory("chain-coverage")
        let path = directory.path("copy.db")
        try FileManager.default.copyItem(atPath: try Self.recorded.get().path, toPath: path)
        return SimulatedLedger(directory: directory, path: path)
    }

    /// `audit --chain --format json` after `sql`: its exit status and findings as (code, subject, message).
    private func audit(after sql: String) throws -> (Int32, [(String, String, String)]) {
        let ledger = try copy()
        let edit = try ToolRunner.sqlite(ledger.path, sql)
        #expect(edit.status == 0, "\(sql): \(edit.stderr)")
        let result = try ledger.kholedger(["audit", "--chain", "--format", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        let findings = (document["findings"] as? [[String: Any]] ?? []).map {
            ($0["code"] as? String ?? "", $0["subject"] as? String ?? "", $0["message"] as? String ?? "")
        }
        return (result.status, findings)
    }

    @Test func recordedLedgerIsClean() throws {
        let (status, findings) = try audit(after: "SELECT 1")
        #expect(status == 0 && findings.isEmpty, "\(findings)")
    }

    @Test(arguments: [
        ("parent = 2", "generation row 1: parent is 2"), ("lineage = 1", "generation row 1: lineage is 1"),
        ("boot_number = 5", "generation row 1: boot_number is 5"), ("abi = 'kho-v2'", "generation row 1: abi is kho-v2"),
        ("page_size = 16384", "generation row 1: page_size is 16384"),
        ("memory_base = memory_base + 4096", "generation row 1: memory_base is 0x"),
        ("memory_size = memory_size * 2", "generation row 1: memory_size is "), ("boot_seq = boot_seq + 1", "generation row 1: boot_seq is "),
        ("tracker_root = tracker_root + 4096", "generation row 1: tracker_root is 0x"),
        ("fdt_phys = fdt_phys + 4096", "generation row 1: fdt_phys is 0x"), ("kernel = '7.2'", "generation row 1: kernel is 7.2"),
        ("previous_release = '6.19'", "generation row 1: previous_release is 6.19"), ("kexec_count = 7", "generation row 1: kexec_count is 7"),
        // no other row gives these: the hash alone covers them
        ("source = 'import'", "generation row 1 (every column its boot set)"), ("label = 'edited'", "generation row 1 (every column its boot set)"),
        ("machine = '{}'", "generation row 1 (every column its boot set)"),
        ("kexec_seq = kexec_seq - 1", "generation row 1: kexec_seq is not "), ("root_fdt = x'00'", "kexec_seq and root_fdt"),
    ])
    func generationColumn(assignment: String, named: String) throws {
        let (status, findings) = try audit(after: "UPDATE generation SET \(assignment) WHERE generation = 1")
        #expect(status == 1)
        #expect(findings.contains { $0.0 == "chain-break" && $0.2.contains(named) }, "\(assignment): \(findings)")
    }

    @Test(arguments: [
        // page_content: an end moved, removed, added
        ("UPDATE page_content SET to_seq = to_seq + 1 WHERE to_seq = (SELECT min(to_seq) FROM page_content)", "page_content"),
        ("UPDATE page_content SET to_seq = NULL WHERE to_seq = (SELECT max(to_seq) FROM page_content)", "page_content"),
        ("UPDATE page_content SET to_seq = 60 WHERE to_seq IS NULL AND phys = (SELECT max(phys) FROM page_content WHERE to_seq IS NULL)",
         "page_content"),
        ("UPDATE page_content SET to_seq = 99 WHERE to_seq = (SELECT max(to_seq) FROM page_content)", "page_content"),
        // object and subtree ends
        ("UPDATE object SET to_seq = NULL WHERE id = (SELECT min(id) FROM object WHERE to_seq IS NOT NULL)", "object"),
        ("UPDATE object SET to_seq = to_seq - 1 WHERE id = (SELECT max(id) FROM object WHERE to_seq IS NOT NULL)", "object"),
        ("UPDATE subtree SET to_seq = NULL WHERE id = (SELECT min(id) FROM subtree WHERE to_seq IS NOT NULL)", "subtree"),
        ("UPDATE subtree SET to_seq = to_seq + 1 WHERE id = (SELECT max(id) FROM subtree WHERE to_seq IS NOT NULL)", "subtree"),
        // preserved runs, derived again from op_change
        ("UPDATE preserved_run SET to_seq = NULL WHERE id = (SELECT min(id) FROM preserved_run WHERE to_seq IS NOT NULL)", "preserved_run row"),
        ("UPDATE preserved_run SET to_seq = to_seq - 1 WHERE id = (SELECT max(id) FROM preserved_run WHERE to_seq IS NOT NULL)", "preserved_run row"),
        ("UPDATE preserved_run SET from_seq = from_seq + 1 WHERE id = (SELECT min(id) FROM preserved_run)", "preserved_run row"),
        ("UPDATE preserved_run SET phys = phys + 4096 WHERE id = (SELECT min(id) FROM preserved_run)", "preserved_run row"),
        ("UPDATE preserved_run SET ord = ord + 1 WHERE id = (SELECT min(id) FROM preserved_run)", "preserved_run row"),
        ("UPDATE preserved_run SET count = count + 1 WHERE id = (SELECT min(id) FROM preserved_run)", "preserved_run row"),
        ("DELETE FROM preserved_run WHERE id = (SELECT max(id) FROM preserved_run)", "is in no preserved_run row"),
        // ledger_meta holds nothing a recording wrote
        ("INSERT INTO ledger_meta (key, value) VALUES ('chain', 'v0')", "ledger_meta"),
    ])
    func intervalOrDerivedRow(sql: String, named: String) throws {
        let (status, findings) = try audit(after: sql)
        #expect(status == 1)
        #expect(findings.contains { $0.0 == "chain-break" && ($0.1.contains(named) || $0.2.contains(named)) }, "\(sql): \(findings)")
    }

    /// The interval forks are generated from from_seq and to_seq: they
    /// cannot be changed on their own.
    @Test func forksCannotBeChanged() throws {
        let ledger = try copy()
        for table in ["preserved_run", "object", "subtree"] {
            let edit = try ToolRunner.sqlite(ledger.path, "UPDATE \(table) SET fork = 1")
            #expect(edit.status != 0 && edit.stderr.contains("cannot UPDATE generated column"), "\(table): \(edit.stderr)")
        }
    }
}
