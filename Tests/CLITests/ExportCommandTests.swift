import Foundation
import KHOTestSupport
import Testing

/// `kholedger export`: real tools read the files, and `walk` and
/// `restore --image` on them agree with the ledger.
@Suite("kholedger export")
struct ExportCommandTests {
    /// Exports `point` of `ledger` with a manifest; returns the JSON report and the file paths.
    private func export(_ ledger: SimulatedLedger, _ point: String) throws -> (report: [String: Any], elf: String, dtb: String) {
        let (elf, dtb) = (ledger.directory.path("export.elf"), ledger.directory.path("export.dtb"))
        let report = try ledger.json(["export", "--at", point, "--image", elf, "--fdt", dtb, "--manifest", ledger.directory.path("export.json")])
        return (report, elf, dtb)
    }

    @Test func dtcAndReadelfReadTheExport() throws {
        let ledger = try SimulatedLedger(example: "memfd-luo.yaml")
        let (report, elf, dtb) = try export(ledger, "gen:0")
        let dts = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/dtc"), ["-I", "dtb", "-O", "dts", dtb])
        #expect(dts.status == 0, "\(dts.stderr)")
        #expect(dts.stdout.contains("compatible = \"kho-v3\";"), "memfd-luo.yaml runs kernel 7.1")
        #expect(dts.stdout.contains("preserved-memory-map = "))
        #expect(dts.stdout.contains("LUO {") && dts.stdout.contains("preserved-data = ") && dts.stdout.contains("blob-size = "))

        let header = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/readelf"), ["-hW", elf])
        #expect(header.status == 0 && header.stdout.contains("CORE (Core file)"))
        let loads = try ArtifactFiles.readelfLoads(elf)
        let segments = try #require(report["segments"] as? [[String: Any]])
        #expect(loads.count == segments.count && !loads.isEmpty)
        #expect(loads.map { UInt64($0.paddr.dropFirst(2), radix: 16) } == segments.map { parseHex($0["phys"]) })
        #expect(loads.map { Int($0.fileSize.dropFirst(2), radix: 16) } == segments.map { $0["size"] as? Int })
        // The manifest file holds the same document.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: ledger.directory.url.appendingPathComponent("export.json")))
        #expect((manifest as? [String: Any])?["segments"] as? [[String: Any]] != nil)
        #expect(NSDictionary(dictionary: try #require(manifest as? [String: Any])).isEqual(to: report))
    }

    /// `walk` on the export prints the ledger's preserved set at the point;
    /// `restore --image` of each area gives the manifest's SHA-256, which is
    /// the ledger's own restore.
    @Test(arguments: ["gen:1", "gen:2"])
    func walkAndRestoreAgreeWithTheLedger(point: String) throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let (report, elf, dtb) = try export(ledger, point)
        let walk = try ToolRunner.run(["walk", "--fdt", dtb, "--image", elf])
        #expect(walk.status == 0, "\(walk.stderr)")
        let blocks = walk.stdout.split(separator: "\n").filter { !$0.hasPrefix("subtree ") && !$0.hasPrefix("kexec-metadata ") }.map(String.init)
        let state = try ledger.json(["state", "--at", point, "--all"])
        let preserved = try #require(state["preserved"] as? [[String: Any]])
        #expect(blocks == preserved.map { "\($0["phys"] as? String ?? "?") \($0["order"] as? Int ?? -1)" })
        #expect(blocks.count == report["preserved_count"] as? Int)

        let areas = try #require(report["areas"] as? [[String: Any]])
        #expect(areas.map { $0["name"] as? String } == ["state", "journal"])
        for area in areas {
            let name = try #require(area["name"] as? String)
            let fromImage = try ArtifactFiles.json(["restore", "--image", elf, "--fdt", dtb, "--descriptor-phys",
                                                     try #require(area["descriptor_phys"] as? String), "-o", ledger.directory.path("\(name).image.bin")])
            let fromLedger = try ledger.json(["restore", "--area", name, "--at", point, "-o", ledger.directory.path("\(name).ledger.bin")])
            #expect(fromImage["sha256"] as? String == area["sha256"] as? String)
            #expect(fromLedger["sha256"] as? String == area["sha256"] as? String)
            #expect(fromImage["total_pages"] as? Int == area["total_pages"] as? Int)
        }
    }

    @Test func textNamesTheFiles() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let (elf, dtb, raw) = (ledger.directory.path("t.elf"), ledger.directory.path("t.dtb"), ledger.directory.path("t.raw"))
        let result = try ledger.kholedger(["export", "--at", "gen:0", "--image", elf, "--fdt", dtb, "--raw", raw, "--base", "0x100000000"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("exported seq ") && lines[0].contains("(generation 0, kho-v3, 4 KiB pages)"))
        #expect(lines[1].hasPrefix("\(elf): ") && lines[1].contains(" PT_LOAD segments, "))
        #expect(lines.contains("\(raw): raw image"))
        #expect(lines.contains { $0.hasPrefix("journal ") && $0.contains(" 1024 ") })
        #expect(FileManager.default.fileExists(atPath: raw))
    }

    // MARK: bad input: one error line, exit 1, no file written

    @Test func nothingHandedOver() throws {
        let directory = try TemporaryDirectory()
        let (fdt, image) = try ArtifactFiles.emptyCapture(in: directory)
        let ledger = directory.path("empty.db")
        let imported = try ToolRunner.run(["import", "--fdt", fdt, "--image", image, "--ledger", ledger])
        #expect(imported.status == 0, "\(imported.stderr)")
        let out = directory.path("out.elf")
        try ArtifactFiles.expectOneErrorLine(["export", "--at", "gen:0", "--image", out, "--fdt", directory.path("out.dtb"), "--ledger", ledger],
                                             mentioning: "nothing is handed over")
        #expect(!FileManager.default.fileExists(atPath: out) && temporarySiblings(of: out).isEmpty)
    }

    /// A 6.16 handover (512-byte bitmaps) exports at its kexec and reads
    /// back with `--v1-variant v1a`; before the kexec there is no handover.
    @Test func bitmapTrackerGeneration() throws {
        let ledger = try SimulatedLedger(example: "kho-v1.yaml")
        let (elf, dtb) = (ledger.directory.path("v1.elf"), ledger.directory.path("v1.dtb"))
        let exported = try ToolRunner.run(["export", "--at", "gen:0", "--image", elf, "--fdt", dtb, "--ledger", ledger.path])
        #expect(exported.status == 0, "\(exported.stderr)")
        let walk = try ToolRunner.run(["walk", "--fdt", dtb, "--image", elf, "--v1-variant", "v1a"])
        #expect(walk.status == 0, "\(walk.stderr)")
        #expect(walk.stdout.split(separator: "\n").filter { !$0.hasPrefix("subtree") }.count == 5, "\(walk.stdout)")
        try ArtifactFiles.expectOneErrorLine(["export", "--at", "gen:0+3", "--image", ledger.directory.path("early.elf"),
                                              "--fdt", ledger.directory.path("early.dtb"), "--ledger", ledger.path],
                                             mentioning: "serialized only at its kexec")
    }

    @Test func badArguments() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let files = ["--image", ledger.directory.path("x.elf"), "--fdt", ledger.directory.path("x.dtb"), "--ledger", ledger.path]
        try ArtifactFiles.expectOneErrorLine(["export", "--base", "0x100000000"] + files, mentioning: "--base goes with --raw")
        try ArtifactFiles.expectOneErrorLine(["export", "--at", "gen:9"] + files, mentioning: "gen:9")
        try ArtifactFiles.expectOneErrorLine(["export", "--raw", ledger.directory.path("x.raw"), "--base", "0x100001000"] + files,
                                             mentioning: "--base 0x100001000 lies above the first exported page")
        try ArtifactFiles.expectOneErrorLine(["export", "--image", ledger.directory.path("y.elf"), "--fdt", ledger.directory.path("y.dtb"),
                                              "--ledger", ledger.directory.path("missing.db")], mentioning: "no ledger at")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: ledger.directory.url.path).filter { $0.hasPrefix("x.") || $0.hasPrefix("y.") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
