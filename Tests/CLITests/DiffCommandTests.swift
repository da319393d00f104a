import Foundation
import KHOTestSupport
import Testing

/// `kholedger diff A B` on multi-generation.yaml, whose generation 2 writes
/// page 0 of `state` and pages 768-783 (64 KiB at 3 MiB) of `journal`.
@Suite("diff command")
struct DiffCommandTests {
    let ledger: SimulatedLedger

    init() throws { ledger = try SimulatedLedger(example: "multi-generation.yaml") }

    @Test func textSummaryFirstThenDetails() throws {
        let result = try ledger.kholedger(["diff", "gen:1", "gen:2"])
        #expect(result.status == 0 && result.stderr.isEmpty)
        let (from, to) = (try ledger.seq(of: "kexec", generation: 1), try ledger.seq(of: "kexec", generation: 2))
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "diff gen:1 → gen:2: seq \(from) (generation 1) → seq \(to) (generation 2)")
        #expect(lines[1] == "areas: 4 changed, 0 added, 0 removed, 0 unchanged")
        #expect(lines[2].hasPrefix("preserved: +"))
        #expect(lines[3] == "subtrees: 4 changed, 0 added, 0 removed", "app and kexec-metadata, in and out")
        #expect(lines[4].hasPrefix("content: ") && lines[4].contains(" preserved pages differ ("))
        #expect(lines[5].isEmpty && lines[6] == "changed areas:")
        let journal = try #require(lines.firstIndex { $0.hasPrefix("  journal (kind vmalloc): descriptor 0x") })
        #expect(lines[journal + 1] == "    changed pages (16): 768-783")
        #expect(lines[journal + 2] == "    moved pages (0)")
        let state = try #require(lines.firstIndex { $0.hasPrefix("  state (kind vmalloc): descriptor 0x") })
        #expect(lines[state + 1] == "    changed pages (1): 0")
        #expect(lines.contains("preserved pages whose content differs:"))
    }

    @Test func jsonForTools() throws {
        let diff = try ledger.json(["diff", "gen:1", "gen:2"])
        let from = try #require(diff["from"] as? [String: Any])
        #expect(from["point"] as? String == "gen:1" && from["generation"] as? Int == 1)
        let summary = try #require(diff["summary"] as? [String: Any])
        #expect(summary["areas_changed"] as? Int == 4 && summary["areas_added"] as? Int == 0)
        let areas = try #require(diff["areas"] as? [String: Any])
        let changed = try #require(areas["changed"] as? [[String: Any]])
        let journal = try #require(changed.first { $0["name"] as? String == "journal" && ($0["to"] as? [String: Any])?["kind"] as? String == "vmalloc" })
        let pages = try #require(journal["changed_pages"] as? [[String: Any]])
        #expect(pages.map { [$0["first"] as? Int, $0["count"] as? Int] } == [[768, 16]])
        #expect((journal["moved_frames"] as? [Any])?.isEmpty == true)
        let descriptor = try #require((journal["to"] as? [String: Any])?["descriptor_phys"] as? String)
        #expect(descriptor.hasPrefix("0x"))

        let content = try #require(diff["content"] as? [String: Any])
        let ranges = try #require(content["ranges"] as? [[String: Any]])
        #expect(ranges.reduce(0) { $0 + ($1["pages"] as? Int ?? 0) } == content["pages"] as? Int)
        #expect(content["bytes"] as? Int == (content["pages"] as? Int ?? -1) * 4096)
        let preserved = try #require(diff["preserved"] as? [String: Any])
        let byOrder = try #require(preserved["by_order"] as? [[String: Any]])
        #expect(byOrder.reduce(0) { $0 + ($1["added"] as? Int ?? 0) } == (preserved["added"] as? [Any])?.count)
    }

    /// A bare number is a seq: `diff 3 gen:1` starts at operation 3, not generation 3.
    @Test func bareNumberIsASeq() throws {
        let diff = try ledger.json(["diff", "3", "gen:1"])
        let from = try #require(diff["from"] as? [String: Any])
        #expect(from["seq"] as? Int == 3 && from["generation"] as? Int == 0)
    }

    @Test(arguments: [["gen:1", "bogus"], ["gen:7", "gen:1"], ["0", "gen:1"]])
    func badPointIsOneErrorLine(points: [String]) throws {
        let result = try ledger.kholedger(["diff"] + points)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix("error: "), "\(result.stderr)")
    }

    @Test func bothPointsAreRequired() throws {
        let result = try ledger.kholedger(["diff", "gen:1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Missing expected argument '<B>'"))
    }
}
