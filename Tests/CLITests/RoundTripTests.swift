import Foundation
import KHOTestSupport
import Testing

/// simulate → export gen:G → import into a new ledger → `diff` of the
/// original handover with the imported one (across the two ledgers).
@Suite("Round trip: export, import, diff")
struct RoundTripTests {
    /// Exports `point` of `original`, imports it into a new ledger (naming
    /// every area as the original does) and diffs the two handovers.
    private func roundTrip(_ original: SimulatedLedger, _ point: String) throws -> (diff: [String: Any], manifest: [String: Any]) {
        let (elf, dtb) = (original.directory.path("rt.elf"), original.directory.path("rt.dtb"))
        let manifest = try original.json(["export", "--at", point, "--image", elf, "--fdt", dtb])
        let areas = try #require(manifest["areas"] as? [[String: Any]])
        let named = try areas.flatMap { ["--vmalloc", "\(try #require($0["name"] as? String))=\(try #require($0["descriptor_phys"] as? String))"] }
        let imported = original.directory.path("imported.db")
        let report = try ArtifactFiles.json(["import", "--fdt", dtb, "--image", elf, "--page-size", "\(try #require(manifest["page_size"] as? Int))",
                                             "--ledger", imported] + named)
        #expect(report["generation"] as? Int == 0, "a new ledger")
        let diff = try original.json(["diff", point, "gen:0", "--to-ledger", imported])
        return (diff, manifest)
    }

    /// The parts of a diff that must be empty for two equal handovers.
    private func expectNoDifference(_ diff: [String: Any], areas: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let summary = try #require(diff["summary"] as? [String: Any])
        for key in ["areas_added", "areas_changed", "blocks_added", "blocks_removed", "subtrees_added", "subtrees_changed", "pages_changed"] {
            #expect(summary[key] as? Int == 0, "\(key): \(summary[key] ?? "nil")", sourceLocation: sourceLocation)
        }
        #expect(summary["areas_unchanged"] as? Int == areas, sourceLocation: sourceLocation)
        let from = try #require(diff["from"] as? [String: Any]), to = try #require(diff["to"] as? [String: Any])
        #expect(from["preserved_blocks"] as? Int == to["preserved_blocks"] as? Int, sourceLocation: sourceLocation)
        #expect(from["preserved_bytes"] as? Int == to["preserved_bytes"] as? Int, sourceLocation: sourceLocation)
    }

    @Test func memfdHandoverAt4KiB() throws {
        let original = try SimulatedLedger(example: "memfd-luo.yaml")
        let (diff, manifest) = try roundTrip(original, "gen:0")
        try expectNoDifference(diff, areas: (manifest["areas"] as? [Any])?.count ?? -1)
        let summary = try #require(diff["summary"] as? [String: Any])
        #expect(summary["areas_removed"] as? Int == 0 && summary["subtrees_removed"] as? Int == 0)
        #expect(((diff["areas"] as? [String: Any])?["unchanged"] as? [String]) == ["vm-ram/folios"])
        let text = try original.kholedger(["diff", "gen:0", "gen:0", "--to-ledger", original.directory.path("imported.db")])
        #expect(text.stdout.contains("areas: 0 changed, 0 added, 0 removed, 1 unchanged"))
        #expect(text.stdout.contains("content: 0 preserved pages differ (0 B)"))
    }

    @Test func fourAreasAndATestModuleAt16KiB() throws {
        let original = try SimulatedLedger(yaml: """
            machine: {page_size: 16KiB, memory: 512MiB, seed: 5, kernel: "7.1", liveupdate: true}
            steps:
              - vmalloc: {name: huge, size: 64MiB, huge: true}
              - write: {area: huge, offset: 32MiB, random: 48KiB}
              - vmalloc: {name: exact, size: 2047 pages, fill: random}
              - vmalloc: {name: small, size: 3 pages, text: "sixteen "}
              - alloc_preserve: {size: 48, as: descs}
              - preserve_vmalloc: {area: exact, descriptor: descs}
              - preserve_vmalloc: {area: huge, descriptor: descs+16}
              - preserve_vmalloc: {area: small, descriptor: descs+32}
              - add_subtree: {name: app, blob: descs, size: 48}
              - kho_test_preserve: {max_mem: 1MiB}
              - memfd_preserve: {size: 100KiB, fill: random}
              - kexec
            """)
        let (diff, _) = try roundTrip(original, "gen:0")
        try expectNoDifference(diff, areas: 5)
        let summary = try #require(diff["summary"] as? [String: Any])
        #expect(summary["areas_removed"] as? Int == 0 && summary["subtrees_removed"] as? Int == 0)
    }

    /// A later generation also holds what it restored from the previous one
    /// and the subtrees it found: not part of its handover, so a capture has
    /// none of it. Everything handed over matches.
    @Test func laterGenerationOfMultiGeneration() throws {
        let original = try SimulatedLedger(example: "multi-generation.yaml")
        let (diff, _) = try roundTrip(original, "gen:2")
        try expectNoDifference(diff, areas: 2)
        let areas = try #require(diff["areas"] as? [String: Any])
        let removed = try #require(areas["removed"] as? [[String: Any]])
        #expect(removed.map { "\($0["kind"] as? String ?? "?") \($0["name"] as? String ?? "?")" } == ["restored_vmalloc state", "restored_vmalloc journal"])
        let subtrees = try #require(diff["subtrees"] as? [String: Any])
        let gone = try #require(subtrees["removed"] as? [[String: Any]])
        #expect(gone.map { "\($0["direction"] as? String ?? "?") \($0["name"] as? String ?? "?")" } == ["in app", "in kexec-metadata"])
    }
}
