import Foundation
import KHOTestSupport
import Testing

/// `kholedger history --area` on the multi-generation story: the journal is
/// preserved in generations 0, 1 and 2 and restored in 1, 2 and 3;
/// generation 1 writes one page of it (4 KiB at 1 MiB), generation 2
/// sixteen (64 KiB at 3 MiB).
@Suite("kholedger history")
struct HistoryCommandTests {
    @Test func journalHopsAreTheLoggedCallsWithTheirRestores() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let json = try ledger.json(["history", "--area", "journal"])
        #expect(json["area"] as? String == "journal")
        let hops = try #require(json["hops"] as? [[String: Any]])
        let calls = try ledger.seqs(["--subject", "journal", "--kind", "preserve_vmalloc"])
            + ledger.seqs(["--subject", "journal", "--kind", "restore_vmalloc"])
        #expect(hops.map { $0["seq"] as? Int } == calls.sorted().map { $0 })
        #expect(hops.map { $0["kind"] as? String } == ["preserve_vmalloc", "restore_vmalloc", "preserve_vmalloc",
                                                      "restore_vmalloc", "preserve_vmalloc", "restore_vmalloc"])
        #expect(hops.map { $0["generation"] as? Int } == [0, 1, 1, 2, 2, 3])
        // The huge area keeps order 9 until a restored copy is preserved again (order 0, one entry per page).
        #expect(hops.map { $0["order"] as? Int } == [9, 9, 0, 0, 0, 0])
        #expect(hops.map { $0["changed_pages"] as? Int } == [nil, 0, 1, 0, 16, 0])
        // A restore rebuilds the descriptor the preserve before it wrote.
        for (preserve, restore) in zip(hops.indices.filter { $0 % 2 == 0 }, hops.indices.filter { $0 % 2 == 1 }) {
            #expect(hops[preserve]["descriptor_phys"] as? String == hops[restore]["descriptor_phys"] as? String)
            #expect(hops[preserve]["chunks"] as? [String] == hops[restore]["chunks"] as? [String])
        }
        for hop in hops {
            let seq = try #require(hop["seq"] as? Int)
            let restored = try ledger.json(["restore", "--area", "journal", "--at", "\(seq)", "-o", ledger.directory.path("j\(seq).bin")])
            #expect(hop["sha256"] as? String == restored["sha256"] as? String, "seq \(seq)")
            #expect(hop["result"] as? String == "ok" && hop["restore_error"] is NSNull)
        }
    }

    @Test func textHasOneRowPerHop() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let result = try ledger.kholedger(["history", "--area", "state"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "area state: 6 hops over generations 0…3")
        #expect(lines.dropFirst().first?.hasPrefix("SEQ  GEN  OP        RESULT  DESCRIPTOR") == true)
        #expect(lines.count == 8)
        // "gen1 " over "gen0 " changes page 0 in generation 1, "gen2 " at offset 5 page 0 in generation 2.
        #expect(lines.suffix(6).map { $0.split(separator: " ").last.map(String.init) } == ["-", "0", "1", "0", "1", "0"])
    }

    @Test func unknownAreaIsOneLine() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let result = try ledger.kholedger(["history", "--area", "nope"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: no preserve_vmalloc or restore_vmalloc of an area named \"nope\" in \(ledger.path)\n")
    }
}
