import Foundation
import KHOTestSupport
import Testing

/// `kholedger diff --bytes` on the multi-generation story, whose writes are
/// known from the scenario: generation 1 writes "gen1 " over "gen0 " at
/// offset 0 of `state`, generation 2 "gen2 " over "gen0 " at offset 5, and
/// generation 1 4 KiB of random bytes at offset 1 MiB of `journal`.
@Suite("kholedger diff --bytes")
struct DiffBytesTests {
    @Test func oneChangedByteOfAnAreaIsOneRun() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        for (a, b, offset, new) in [("gen:0", "gen:1", "0x3", "31"), ("gen:1", "gen:2", "0x8", "32")] {
            let json = try ledger.json(["diff", a, b, "--bytes", "--area", "state"])
            #expect(json["changed_bytes"] as? Int == 1, "\(a) → \(b)")
            let runs = try #require(json["runs"] as? [[String: Any]])
            try #require(runs.count == 1, "\(a) → \(b): \(runs)")
            #expect(runs[0]["area"] as? String == "state")
            #expect(runs[0]["offset"] as? String == offset)
            #expect(runs[0]["length"] as? Int == 1)
            #expect(runs[0]["old"] as? String == "30", "the digit 0 of \"gen0 \"")
            #expect(runs[0]["new"] as? String == new)
            // The addresses are the area's frames at each point.
            let before = try #require(try ledger.json(["state", "--at", a])["areas"] as? [[String: Any]])
            let after = try #require(try ledger.json(["state", "--at", b])["areas"] as? [[String: Any]])
            #expect(runs[0]["from_phys"] as? String != nil && runs[0]["to_phys"] as? String != nil)
            #expect(before.contains { $0["name"] as? String == "state" } && after.contains { $0["name"] as? String == "state" })
        }
    }

    @Test func textIsAHexdumpOfBothPoints() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let result = try ledger.kholedger(["diff", "gen:0", "gen:1", "--bytes", "--area", "state"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "diff --bytes gen:0 → gen:1: 1 byte differs in 1 run")
        #expect(lines.contains { $0.hasPrefix("state +0x3 (0x") && $0.hasSuffix("), 1 byte") })
        #expect(lines.suffix(2) == ["  - 0x3  30", "  + 0x3  31"])
    }

    /// The journal's runs lie inside the 4 KiB generation 1 wrote, and
    /// their bytes are the ones `restore --area` returns at each point.
    @Test func runsHoldTheRestoredBytes() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let json = try ledger.json(["diff", "gen:0", "gen:1", "--bytes", "--area", "journal"])
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(!runs.isEmpty)
        let (old, new) = (ledger.directory.path("old.bin"), ledger.directory.path("new.bin"))
        _ = try ledger.json(["restore", "--area", "journal", "--at", "gen:0", "-o", old])
        _ = try ledger.json(["restore", "--area", "journal", "--at", "gen:1", "-o", new])
        let (oldBytes, newBytes) = (try Data(contentsOf: URL(fileURLWithPath: old)), try Data(contentsOf: URL(fileURLWithPath: new)))
        var changed = 0
        for run in runs {
            let offset = Int(try #require(parseHex(run["offset"])))
            let length = try #require(run["length"] as? Int)
            #expect(offset >= 1 << 20 && offset + length <= (1 << 20) + 4096, "\(run)")
            #expect(run["old"] as? String == hexDigits(oldBytes[offset ..< offset + length]))
            #expect(run["new"] as? String == hexDigits(newBytes[offset ..< offset + length]))
            changed += zip(oldBytes[offset ..< offset + length], newBytes[offset ..< offset + length]).count { $0 != $1 }
        }
        #expect(json["changed_bytes"] as? Int == changed)
        let everywhere = zip(oldBytes, newBytes).count { $0 != $1 }
        #expect(changed == everywhere, "every differing byte of the area is in a run")
    }

    @Test func badAreaIsOneLine() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let result = try ledger.kholedger(["diff", "gen:0", "gen:1", "--bytes", "--area", "nope"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: no area nope at either point; areas: journal, state\n")
        let usage = try ledger.kholedger(["diff", "gen:0", "gen:1", "--area", "state"])
        #expect(usage.status == 64 && usage.stderr.contains("--area selects the runs of --bytes: add --bytes"))
    }
}

private func hexDigits(_ bytes: Data) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
