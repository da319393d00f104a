import Foundation
import KHOABI
import KHOTestSupport
import Testing

/// `kholedger restore --area NAME --at POINT`: an area's bytes from the
/// ledger, preserved in generation 0 and restored and changed in generation 1.
@Suite("kholedger restore --area")
struct RestoreLedgerTests {
    static let scenario = """
        machine: {page_size: 4096, memory: 32MiB, seed: 5}
        steps:
          - vmalloc: {name: buf, size: 600 pages, text: "hello "}
          - alloc_preserve: {size: 16, as: desc}
          - preserve_vmalloc: {area: buf, descriptor: desc, chunks: 2}
          - add_subtree: {name: app, blob: desc}
          - kexec
          - retrieve_subtree: {name: app, as: in}
          - restore_vmalloc: {descriptor: in, as: buf}
          - write: {area: buf, offset: 0, text: "HELLO"}
        """

    /// The area's bytes at the handover: "hello " end to end.
    static let handedOver: [UInt8] = Array(String(repeating: "hello ", count: 600 * 4096 / 6 + 1).utf8.prefix(600 * 4096))

    let simulated: SimulatedLedger
    var directory: TemporaryDirectory { simulated.directory }
    var ledger: String { simulated.path }

    init() throws { simulated = try SimulatedLedger(yaml: Self.scenario, prefix: "restore-ledger") }

    private func restore(_ arguments: [String], output: String = "out.bin") throws -> ToolResult {
        try ToolRunner.run(["restore"] + arguments + ["-o", directory.path(output), "--ledger", ledger])
    }

    private func bytes(_ output: String = "out.bin") throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.path(output))))
    }

    private func sqlite(_ sql: String) throws -> String {
        let result = try ToolRunner.sqlite(ledger, sql)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func bytesAndTextAtTheHandover() throws {
        let result = try restore(["--area", "buf", "--at", "gen:0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try bytes() == Self.handedOver)
        let seq = try sqlite("SELECT kexec_seq FROM generation WHERE generation = 0")
        let descriptor = try sqlite("SELECT descriptor_phys FROM v_areas WHERE name = 'buf' AND kind = 'vmalloc'")
        #expect(result.stdout.split(separator: "\n").map(String.init) == [
            "area buf (vmalloc) at seq \(seq), generation 0, descriptor \(descriptor)",
            "size 2457600 bytes (2400 KiB)",
            "sha256 \(sha256Hex(Self.handedOver))",
            "chunks 2",
        ])
        #expect(temporarySiblings(of: directory.path("out.bin")).isEmpty)
    }

    @Test func jsonReport() throws {
        let result = try restore(["--area", "buf", "--at", "gen:0", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["size"] as? Int == 600 * 4096)
        #expect(report["sha256"] as? String == sha256Hex(Self.handedOver))
        #expect(report["chunks"] as? Int == 2)
        #expect(report["total_pages"] as? Int == 600)
        #expect(report["order"] as? Int == 0)
        #expect(report["flags"] as? Int == 1)
        #expect(report["descriptor_phys"] as? String == (try sqlite("SELECT descriptor_phys FROM v_areas WHERE kind = 'vmalloc'")))
        #expect(report["seq"] as? Int == Int(try sqlite("SELECT kexec_seq FROM generation WHERE generation = 0")))
        #expect(report["generation"] as? Int == 0)
        #expect(report["area"] as? String == "buf")
        #expect(report["kind"] as? String == "vmalloc")
    }

    /// Without --at: the ledger's last operation, where "buf" is the area
    /// generation 1 restored and wrote into.
    @Test func restoredAreaAtTheEnd() throws {
        let result = try restore(["--area", "buf", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["kind"] as? String == "restored_vmalloc")
        #expect(report["generation"] as? Int == 1)
        #expect(report["seq"] as? Int == Int(try sqlite("SELECT max(seq) FROM op")))
        #expect(try bytes() == Array("HELLO".utf8) + Self.handedOver.dropFirst(5))
    }

    @Test func unknownAreaListsTheAreas() throws {
        try expectFailure(["--area", "nope", "--at", "gen:0"], mentioning: "no vmalloc area \"nope\" at seq")
        try expectFailure(["--area", "nope", "--at", "gen:0"], mentioning: "its areas: buf")
    }

    @Test func badPoints() throws {
        try expectFailure(["--area", "buf", "--at", "gen:7"], mentioning: "gen:7")
        try expectFailure(["--area", "buf", "--at", "yesterday"], mentioning: "\"yesterday\"")
    }

    @Test func eitherAreaOrImage() throws {
        try expectFailure(["--area", "buf", "--image", directory.path("none.elf")], mentioning: "not both")
        try expectFailure(["--area", "buf", "--descriptor-phys", "0x1000"], mentioning: "--descriptor-phys")
        try expectFailure([], mentioning: "--area")
    }

    @Test func missingLedger() throws {
        let result = try ToolRunner.run(["restore", "--area", "buf", "-o", directory.path("out.bin"), "--ledger", directory.path("none.db")])
        try expectOneErrorLine(result, mentioning: "no ledger at")
    }

    /// A crafted ledger whose chunk 1 points back at chunk 0: one error line
    /// naming the area, the chunk and the address; the old output stays.
    @Test func chunkCycleInACraftedLedger() throws {
        let chunks = try sqlite("SELECT phys FROM v_chunks WHERE area = 'buf' AND from_seq = (SELECT min(from_seq) FROM v_chunks) ORDER BY idx")
            .split(separator: "\n").map(String.init)
        try #require(chunks.count == 2)
        let chunk0 = try #require(parseHex(chunks[0])), chunk1 = try #require(parseHex(chunks[1]))
        // The crafted page is stored as the recorder stores pages: under its SHA-256.
        let page = try sqlite("SELECT hex(d.bytes) FROM page_content c JOIN page_data d ON d.id = c.data_id WHERE c.phys = \(chunk1) AND c.to_seq IS NULL")
        var bytes = try #require([UInt8](hexText: page))
        bytes.patch(chunk0, at: 0)
        let hash = sha256Hex(bytes)
        _ = try sqlite("""
            INSERT OR IGNORE INTO page_data (hash, bytes) VALUES (x'\(hash)', x'\(bytes.hexText)');
            UPDATE page_content SET data_id = (SELECT id FROM page_data WHERE hash = x'\(hash)') WHERE phys = \(chunk1) AND to_seq IS NULL
            """)
        let output = try directory.write("out.bin", "previous")
        let descriptor = try sqlite("SELECT descriptor_phys FROM v_areas WHERE kind = 'vmalloc'")
        let seq = try sqlite("SELECT kexec_seq FROM generation WHERE generation = 0")
        try expectOneErrorLine(try restore(["--area", "buf", "--at", "gen:0"]),
                               mentioning: "area \"buf\" (descriptor \(descriptor)) as of seq \(seq): chunk 2 at \(hex(chunk0)) is chunk 0 again")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous")
        #expect(temporarySiblings(of: output).isEmpty)
    }

    /// Runs restore, expects one error line and no new output.
    private func expectFailure(_ arguments: [String], mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try restore(arguments, output: "failed.bin")
        try expectOneErrorLine(result, mentioning: text, sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: directory.path("failed.bin")), sourceLocation: sourceLocation)
        #expect(temporarySiblings(of: directory.path("failed.bin")).isEmpty, sourceLocation: sourceLocation)
    }
}
