import Foundation
import KHOABI
import KHOImage
import KHOTestSupport
import Testing

/// `kholedger import`: a capture becomes a generation the other commands
/// answer for, and bad captures change nothing.
@Suite("kholedger import")
struct ImportCommandTests {
    /// Imports a consumer vector without naming areas: the consumer areas
    /// are found, the handover is the walk, and the areas restore.
    @Test func consumerVector() throws {
        let vector = try ReferenceVector.named("k4-cons-s19")
        let directory = try TemporaryDirectory()
        let ledger = directory.path("cons.db")
        let report = try ArtifactFiles.json(["import", "--fdt", vector.path("kho.dtb"), "--image", vector.path("memory.elf"), "--ledger", ledger])
        #expect(report["generation"] as? Int == 0 && report["compat"] as? String == "kho-v3")
        #expect(report["preserved_count"] as? Int == (try vector.walkBlockLines()).count)
        #expect(report["fdt_phys"] as? String == (try vector.expected()["fdt_phys"] as? String))
        let areas = try #require(report["areas"] as? [[String: Any]])
        #expect(Set(areas.compactMap { $0["origin"] as? String }) == ["kho_test", "memfd"])

        let state = try ArtifactFiles.json(["state", "--at", "gen:0", "--all", "--ledger", ledger])
        #expect(state["seq"] as? Int == report["kexec_seq"] as? Int)
        let preserved = try #require(state["preserved"] as? [[String: Any]])
        #expect(preserved.map { "\($0["phys"] as? String ?? "?") \($0["order"] as? Int ?? -1)" } == (try vector.walkBlockLines()))
        for area in areas {
            let restored = try ArtifactFiles.json(["restore", "--area", try #require(area["name"] as? String), "--at", "gen:0",
                                                    "-o", directory.path("area.bin"), "--ledger", ledger])
            #expect(restored["sha256"] as? String == area["sha256"] as? String)
        }
        let generations = try ToolRunner.sqlite(ledger, "SELECT source || ' ' || label FROM generation")
        #expect(generations.stdout == "import memory.elf\n")
    }

    /// The raw image with its base and every area named: each area's
    /// SHA-256 is expected.json's.
    @Test func rawImageWithNamedAreas() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let directory = try TemporaryDirectory()
        let ledger = directory.path("raw.db")
        let base = String(decoding: try vector.data("memory.raw.base"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let areas = try vector.areas()
        let named = try areas.flatMap { ["--vmalloc", "\(try #require($0["name"] as? String))=\(try #require($0["descriptor_phys"] as? String))"] }
        let report = try ArtifactFiles.json(["import", "--fdt", vector.path("kho.dtb"), "--image", vector.path("memory.raw"), "--base", base,
                                             "--label", "k4 raw", "--ledger", ledger] + named)
        let imported = try #require(report["areas"] as? [[String: Any]])
        #expect(imported.map { $0["name"] as? String } == areas.map { $0["name"] as? String })
        #expect(imported.map { $0["sha256"] as? String } == areas.map { $0["sha256"] as? String })
        #expect(imported.allSatisfy { $0["origin"] as? String == "named" })
    }

    @Test func textReport() throws {
        let vector = try ReferenceVector.named("k16-s11")
        let directory = try TemporaryDirectory()
        let result = try ToolRunner.run(["import", "--fdt", vector.path("kho.dtb"), "--image", vector.path("memory.elf"), "--page-size", "16384",
                                         "--vmalloc", "area-3=0x\(String(try vector.expectedNumber("fdt_phys"), radix: 16))",
                                         "--ledger", directory.path("t.db")])
        // The root FDT page holds no descriptor: one error line, no ledger.
        #expect(result.status == 1 && result.stderr.hasPrefix("error: vmalloc area area-3 (descriptor "))
        #expect(!FileManager.default.fileExists(atPath: directory.path("t.db")))

        let area = try #require(try vector.areas().first)
        let ok = try ToolRunner.run(["import", "--fdt", vector.path("kho.dtb"), "--image", vector.path("memory.elf"), "--page-size", "16384",
                                     "--vmalloc", "first=\(try #require(area["descriptor_phys"] as? String))", "--ledger", directory.path("t.db")])
        #expect(ok.status == 0 && ok.stderr.isEmpty, "\(ok.stderr)")
        let lines = ok.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("imported generation 0 (kho-v3, 16 KiB pages): seqs 1…"))
        #expect(lines[1].hasPrefix("preserved: \((try vector.walkBlockLines()).count) blocks, "))
        let sha = try #require(area["sha256"] as? String)
        #expect(lines.contains { $0.hasPrefix("first ") && $0.contains(" named ") && $0.hasSuffix(sha) })
    }

    /// Imported generations have no machine to re-run: `replay --verify`
    /// verifies the simulated lineage and skips the imported one.
    @Test func replayVerifySkipsImports() throws {
        let ledger = try SimulatedLedger(example: "memfd-luo.yaml")
        let vector = try ReferenceVector.named("k4-s7")
        #expect(try ledger.kholedger(["import", "--fdt", vector.path("kho.dtb"), "--image", vector.path("memory.elf")]).status == 0)
        let result = try ledger.kholedger(["replay", "--verify"])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("no machine configuration"))
        #expect(try ledger.kholedger(["audit", "--chain"]).status == 0)
    }

    // MARK: bad input: one error line, exit 1, the ledger unchanged

    /// Each bad capture against an existing ledger and a missing one.
    @Test(arguments: BadCapture.allCases)
    func badCaptureChangesNothing(_ bad: BadCapture) throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let before = try ArtifactFiles.fingerprint(ledger.path)
        let arguments = try bad.arguments(in: ledger.directory)
        try ArtifactFiles.expectOneErrorLine(["import"] + arguments + ["--ledger", ledger.path], mentioning: bad.message)
        #expect(try ArtifactFiles.fingerprint(ledger.path) == before)
        let fresh = ledger.directory.path("fresh.db")
        try ArtifactFiles.expectOneErrorLine(["import"] + arguments + ["--ledger", fresh], mentioning: bad.message)
        #expect(!FileManager.default.fileExists(atPath: fresh))
    }

    enum BadCapture: String, CaseIterable, CustomTestStringConvertible {
        case missingFDT, incompatibleFDT, imageWithoutTracker, blockOutsideImage, descriptorInAHole, vmallocSyntax, vmallocAddress, sameNameTwice

        var testDescription: String { rawValue }

        /// The text the error line must contain.
        var message: String {
            switch self {
            case .missingFDT: return "--fdt: cannot open"
            case .incompatibleFDT: return "unknown KHO compatible \"kho-v9\""
            case .imageWithoutTracker: return "tracker at 0x10059f000: address 0x10059f000 (4096 bytes) is not in the image"
            case .blockOutsideImage: return "preserved block 0x100e00000 (order 9) is not in the image"
            case .descriptorInAHole: return "cannot be read: address 0x10003f000 (16 bytes) is not in the image"
            case .vmallocSyntax: return "--vmalloc \"journal\" is not NAME=ADDRESS"
            case .vmallocAddress: return "--vmalloc journal= \"0xzz\" is not an address"
            case .sameNameTwice: return "two vmalloc areas are named \"twice\""
            }
        }

        func arguments(in directory: TemporaryDirectory) throws -> [String] {
            let vector = try ReferenceVector.named("k4-s7")
            let (fdt, elf) = (vector.path("kho.dtb"), vector.path("memory.elf"))
            switch self {
            case .missingFDT:
                return ["--fdt", directory.path("nothing.dtb"), "--image", elf]
            case .incompatibleFDT:
                let bytes = try vector.bytes("kho.dtb")
                let patched = directory.path("kho-v9.dtb")
                try Data(replace(Array("kho-v3".utf8), with: Array("kho-v9".utf8), in: bytes)).write(to: URL(fileURLWithPath: patched))
                return ["--fdt", patched, "--image", elf]
            case .imageWithoutTracker, .blockOutsideImage:
                // The raw image cut at 4 MiB (below the tracker root) or at 14 MiB (below the last blocks).
                let raw = try vector.data("memory.raw").prefix(self == .imageWithoutTracker ? 4 << 20 : 14 << 20)
                let path = directory.path("cut.raw")
                try raw.write(to: URL(fileURLWithPath: path))
                return ["--fdt", fdt, "--image", path, "--base", "0x100000000"]
            case .descriptorInAHole:
                // Memory.elf maps nothing between 0x100000000 and 0x100040000.
                return ["--fdt", fdt, "--image", elf, "--vmalloc", "hole=0x10003f000"]
            case .vmallocSyntax:
                return ["--fdt", fdt, "--image", elf, "--vmalloc", "journal"]
            case .vmallocAddress:
                return ["--fdt", fdt, "--image", elf, "--vmalloc", "journal=0xzz"]
            case .sameNameTwice:
                return ["--fdt", fdt, "--image", elf, "--vmalloc", "twice=0x1005a6000", "--vmalloc", "twice=0x100754000"]
            }
        }

        private func replace(_ old: [UInt8], with new: [UInt8], in bytes: [UInt8]) throws -> [UInt8] {
            guard let start = (0...(bytes.count - old.count)).first(where: { Array(bytes[$0 ..< $0 + old.count]) == old }) else {
                throw FixtureError("\(String(decoding: old, as: UTF8.self)) not found")
            }
            return Array(bytes[..<start]) + new + bytes[(start + old.count)...]
        }
    }
}
