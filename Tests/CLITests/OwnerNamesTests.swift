import Foundation
import KHOTestSupport
import Testing

/// `state`'s runs and `diff`'s changed content name what holds each page,
/// on the multi-generation story: generation 1 writes "gen1 " at offset 0 of
/// `state` and 4 KiB at offset 1 MiB (page 256) of `journal`.
@Suite("Owner names in state and diff")
struct OwnerNamesTests {
    @Test func diffNamesTheWrittenPages() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let diff = try ledger.kholedger(["diff", "gen:0", "gen:1"])
        #expect(diff.status == 0, "\(diff.stderr)")
        let section = try #require(diff.stdout.components(separatedBy: "preserved pages whose content differs:\n").last)
        let rows = section.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        let owners = rows.map { $0.dropFirst(4).joined(separator: " ") }
        #expect(owners.contains("journal page 256"), "\(section)")
        #expect(owners.contains("state"), "\(section)")
        #expect(owners.contains("root FDT"), "the FDT page gained the app subtree")
        #expect(!owners.contains("-"), "every changed page has an owner: \(section)")
    }

    @Test func stateRunsNameTheirFirstPage() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let state = try ledger.kholedger(["state", "--at", "gen:1"])
        let section = try #require(state.stdout.components(separatedBy: "preserved runs (contiguous blocks of one order):\n").last)
        let rows = section.split(separator: "\n").dropFirst().filter { $0.hasPrefix("0x") }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(!rows.isEmpty)
        let generations = try ToolRunner.sqlite(ledger.path, "SELECT fdt_phys FROM v_generations WHERE generation = 1")
        let fdtPhys = generations.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for row in rows {
            let owner = row.dropFirst(5).joined(separator: " ")
            if row[0] == fdtPhys { #expect(owner == "root FDT") }
            // Every page a run names is a frame of that owner in v_frames, valid at generation 1's kexec.
            let name = owner.components(separatedBy: " page ").first ?? owner
            guard owner != "root FDT", !owner.contains(" chunk "), !owner.hasPrefix("subtree ") else { continue }
            let frames = try ToolRunner.sqlite(ledger.path, """
                SELECT count(*) FROM v_frames f JOIN v_generations g ON g.generation = f.generation
                WHERE f.generation = 1 AND f.owner = '\(name)' AND f.phys = '\(row[0])'
                  AND f.from_seq <= g.kexec_seq AND (f.to_seq IS NULL OR f.to_seq > g.kexec_seq)
                """)
            #expect(frames.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "0", "\(row)")
        }
    }
}
