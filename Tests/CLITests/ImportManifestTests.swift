import Foundation
import KHOTestSupport
import Testing

/// `import --manifest FILE`: an export imports back under the names its
/// manifest gives, and a manifest that does not describe the capture is
/// refused with one line before any ledger is touched.
@Suite("Import with an export's manifest")
struct ImportManifestTests {
    let original: SimulatedLedger
    let (elf, dtb, manifest): (String, String, String)
    let imported: String

    /// multi-generation.yaml's handover at gen:1 (state and journal), exported.
    init() throws {
        original = try SimulatedLedger(example: "multi-generation.yaml")
        (elf, dtb, manifest) = (original.directory.path("g1.elf"), original.directory.path("g1.dtb"), original.directory.path("g1.json"))
        imported = original.directory.path("imported.db")
        let export = try original.kholedger(["export", "--at", "gen:1", "--image", elf, "--fdt", dtb, "--manifest", manifest])
        #expect(export.status == 0, "\(export.stderr)")
    }

    private func importArguments(_ extra: [String] = [], manifest: String? = nil) -> [String] {
        ["import", "--fdt", dtb, "--image", elf, "--manifest", manifest ?? self.manifest, "--ledger", imported] + extra
    }

    /// The SHA-256 of `area` restored from the original ledger at gen:1.
    private func originalSHA256(_ area: String) throws -> String {
        let restored = try original.json(["restore", "--area", area, "--at", "gen:1", "-o", original.directory.path("\(area).bin")])
        return try #require(restored["sha256"] as? String)
    }

    /// The manifest as a JSON object, for editing.
    private func manifestObject() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest))) as? [String: Any])
    }

    private func write(_ object: [String: Any], _ name: String) throws -> String {
        let path = original.directory.path(name)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func areasComeBackUnderTheManifestsNames() throws {
        // Without the manifest no consumer format points to the areas: none is imported.
        let bare = try ArtifactFiles.json(["import", "--fdt", dtb, "--image", elf, "--ledger", original.directory.path("bare.db")])
        #expect((bare["areas"] as? [Any])?.isEmpty == true)

        let report = try ArtifactFiles.json(importArguments())
        let areas = try #require(report["areas"] as? [[String: Any]]).sorted { ($0["name"] as? String ?? "") < ($1["name"] as? String ?? "") }
        #expect(areas.map { $0["name"] as? String } == ["journal", "state"])
        #expect(areas.allSatisfy { $0["origin"] as? String == "manifest" })
        let listed = try #require(manifestObject()["areas"] as? [[String: Any]])
        for area in areas {
            let name = try #require(area["name"] as? String)
            #expect(area["sha256"] as? String == (try originalSHA256(name)), "\(name)")
            let entry = listed.first { $0["name"] as? String == name }
            #expect(area["descriptor_phys"] as? String == entry?["descriptor_phys"] as? String, "\(name)")
        }
        // The imported areas restore in the new ledger as in the original.
        let restored = try ArtifactFiles.json(["restore", "--area", "journal", "--at", "gen:0", "-o", original.directory.path("j.bin"),
                                               "--ledger", imported])
        #expect(restored["sha256"] as? String == (try originalSHA256("journal")))
    }

    @Test func textNamesTheOrigin() throws {
        let result = try ToolRunner.run(importArguments())
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("journal ") || $0.hasPrefix("state ") }
        #expect(rows.count == 2 && rows.allSatisfy { $0.split(separator: " ", omittingEmptySubsequences: true)[1] == "manifest" }, "\(result.stdout)")
    }

    @Test func aVmallocAtTheSameDescriptorWins() throws {
        let listed = try #require(manifestObject()["areas"] as? [[String: Any]])
        let journal = try #require(listed.first { $0["name"] as? String == "journal" }?["descriptor_phys"] as? String)
        let report = try ArtifactFiles.json(importArguments(["--vmalloc", "log=\(journal)"]))
        let areas = try #require(report["areas"] as? [[String: Any]])
        #expect(Set(areas.compactMap { "\($0["name"] as? String ?? "")/\($0["origin"] as? String ?? "")" }) == ["log/named", "state/manifest"])
    }

    @Test func aManifestOfAnotherHandoverIsRefused() throws {
        var tampered = try manifestObject()
        var areas = try #require(tampered["areas"] as? [[String: Any]])
        let index = try #require(areas.firstIndex { $0["name"] as? String == "state" })
        let recorded = String(repeating: "0", count: 64)
        areas[index]["sha256"] = recorded
        tampered["areas"] = areas
        try ArtifactFiles.expectOneErrorLine(importArguments(manifest: try write(tampered, "sha.json")),
                                             mentioning: "area state restores from the capture with SHA-256 \(try originalSHA256("state")), the manifest records \(recorded)")

        var pages = try manifestObject()
        pages["page_size"] = 16384
        try ArtifactFiles.expectOneErrorLine(importArguments(manifest: try write(pages, "pages.json")),
                                             mentioning: "describes a handover with 16384-byte pages, the capture is read with 4096-byte pages (give --page-size 16384)")

        var tracker = try manifestObject()
        tracker["tracker_root"] = "0x1000"
        try ArtifactFiles.expectOneErrorLine(importArguments(manifest: try write(tracker, "tracker.json")),
                                             mentioning: "describes a handover whose tracker is at 0x1000")
        #expect(!FileManager.default.fileExists(atPath: imported), "a refused import leaves no ledger")
    }

    @Test func aFileThatIsNotAManifestIsNamed() throws {
        let text = original.directory.path("notes.txt")
        try Data("not json".utf8).write(to: URL(fileURLWithPath: text))
        try ArtifactFiles.expectOneErrorLine(importArguments(manifest: text), mentioning: "manifest \(text): not JSON")

        var nameless = try manifestObject()
        var areas = try #require(nameless["areas"] as? [[String: Any]])
        areas[1]["name"] = nil
        nameless["areas"] = areas
        let path = try write(nameless, "nameless.json")
        try ArtifactFiles.expectOneErrorLine(importArguments(manifest: path), mentioning: "manifest \(path): not an export manifest (.areas[1].name is missing)")

        var address = try manifestObject()
        areas = try #require(address["areas"] as? [[String: Any]])
        areas[0]["descriptor_phys"] = "4096"
        address["areas"] = areas
        try ArtifactFiles.expectOneErrorLine(importArguments(manifest: try write(address, "address.json")),
                                             mentioning: "descriptor_phys \"4096\" is not a \"0x…\" address")
        try ArtifactFiles.expectOneErrorLine(importArguments(manifest: original.directory.path("absent.json")), mentioning: "--manifest:")
        #expect(!FileManager.default.fileExists(atPath: imported))
    }
}
