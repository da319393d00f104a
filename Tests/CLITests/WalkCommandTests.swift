import Foundation
import KHOTestSupport
import Testing

/// `kholedger walk` on every reference vector, and its one-line errors.
@Suite("kholedger walk")
struct WalkCommandTests {
    /// `walk` arguments for a vector's ELF image at its page size.
    static func arguments(_ vector: ReferenceVector, fdt: String? = nil) throws -> [String] {
        ["walk", "--fdt", fdt ?? vector.path("kho.dtb"), "--image", vector.path("memory.elf"),
         "--page-size", "\(try vector.geometry().pageSize)"]
    }

    @Test(arguments: ReferenceVector.names)
    func textIsWalkTxt(name: String) throws {
        let vector = try ReferenceVector.named(name)
        let result = try ToolRunner.run(Self.arguments(vector))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == String(decoding: try vector.data("walk.txt"), as: UTF8.self))
        #expect(result.stderr.isEmpty)
    }

    @Test func rawImageWithBase() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let base = String(decoding: try vector.data("memory.raw.base"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try ToolRunner.run(["walk", "--fdt", vector.path("kho.dtb"), "--image", vector.path("memory.raw"), "--base", base])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == String(decoding: try vector.data("walk.txt"), as: UTF8.self))
    }

    @Test(arguments: ReferenceVector.names)
    func json(name: String) throws {
        let vector = try ReferenceVector.named(name)
        let result = try ToolRunner.run(Self.arguments(vector) + ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let preserved = try #require(object["preserved"] as? [[String: Any]])
        let blocks = preserved.map { "\($0["phys"] as? String ?? "?") \($0["order"] as? Int ?? -1)" }
        #expect(blocks == (try vector.walkBlockLines()))
        let subtrees = try #require(object["subtrees"] as? [[String: Any]])
        let expected = try #require(try vector.expected()["subtrees"] as? [[String: Any]])
        #expect(subtrees.map { $0["name"] as? String } == expected.map { $0["name"] as? String })
        #expect(subtrees.map { $0["phys"] as? String } == expected.map { $0["phys"] as? String })
        #expect(subtrees.map { $0["size"] as? Int } == expected.map { $0["size"] as? Int })
    }

    @Test func csv() throws {
        let vector = try ReferenceVector.named("k4-v1b-s17")
        let result = try ToolRunner.run(Self.arguments(vector) + ["--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "kind,name,phys,order,size")
        let blocks = lines.filter { $0.hasPrefix("block,") }.map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(blocks.map { "\($0[2]) \($0[3])" } == (try vector.walkBlockLines()))
        #expect(lines.filter { $0.hasPrefix("subtree,") }.first == "subtree,LUO,0x100be7000,,236")
    }

    // MARK: malformed inputs: one `error:` line, non-zero exit, nothing on stdout

    @Test func badFDTMagic() throws {
        var fdt = try ReferenceVector.named("k4-s7").bytes("kho.dtb")
        fdt[0] = 0xde
        try expectOneError(fdt: fdt, mentioning: "magic")
    }

    @Test func truncatedFDT() throws {
        let fdt = try ReferenceVector.named("k4-s7").bytes("kho.dtb")
        try expectOneError(fdt: Array(fdt.prefix(24)), mentioning: "header")
        try expectOneError(fdt: Array(fdt.prefix(fdt.count / 2)), mentioning: "totalsize")
    }

    @Test func unknownCompatible() throws {
        let fdt = try ReferenceVector.named("k4-s7").bytes("kho.dtb")
        let patched = try #require(replacing(Array("kho-v3".utf8), with: Array("kho-v9".utf8), in: fdt))
        try expectOneError(fdt: patched, mentioning: "kho-v9")
    }

    @Test func trackerOutsideTheImage() throws {
        // k4-v1b-s17's tracker does not live in k16-s11's memory.
        let fdt = try ReferenceVector.named("k4-v1b-s17").bytes("kho.dtb")
        try expectOneError(fdt: fdt, vector: "k16-s11", mentioning: "0x100be4000")
    }

    @Test func rawImageWithoutBase() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let result = try ToolRunner.run(["walk", "--fdt", vector.path("kho.dtb"), "--image", vector.path("memory.raw")])
        try expectOneErrorLine(result, mentioning: "--base")
    }

    @Test func baseGivenForAnElfCore() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let result = try ToolRunner.run(Self.arguments(vector) + ["--base", "0x100000000"])
        try expectOneErrorLine(result, mentioning: "ELF core")
    }

    @Test func unsupportedPageSize() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let result = try ToolRunner.run(["walk", "--fdt", vector.path("kho.dtb"), "--image", vector.path("memory.elf"), "--page-size", "8192"])
        try expectOneErrorLine(result, mentioning: "8192")
    }

    @Test func missingImageFile() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let result = try ToolRunner.run(["walk", "--fdt", vector.path("kho.dtb"), "--image", "/nonexistent/memory.elf"])
        try expectOneErrorLine(result, mentioning: "/nonexistent/memory.elf")
    }

    /// Walks `fdt` over `vector`'s memory and expects one error line.
    private func expectOneError(fdt: [UInt8], vector name: String = "k4-s7", mentioning text: String) throws {
        let directory = try TemporaryDirectory("walk-malformed")
        let path = directory.path("kho.dtb")
        try Data(fdt).write(to: URL(fileURLWithPath: path))
        let result = try ToolRunner.run(Self.arguments(ReferenceVector.named(name), fdt: path))
        try expectOneErrorLine(result, mentioning: text)
    }

    /// `bytes` with the first occurrence of `pattern` replaced, or `nil`.
    private func replacing(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8]? {
        guard let start = (0 ... bytes.count - pattern.count).first(where: { Array(bytes[$0 ..< $0 + pattern.count]) == pattern }) else {
            return nil
        }
        var result = bytes
        result.replaceSubrange(start ..< start + pattern.count, with: replacement)
        return result
    }
}

/// A failed run printed exactly one `error: …` line mentioning `text`, and nothing on stdout.
func expectOneErrorLine(_ result: ToolResult, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(result.status != 0, sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(text), "\(result.stderr)", sourceLocation: sourceLocation)
}

/// `walk` and `import` on exports of handovers the kernel makes: a 7.1+
/// handover's kexec-metadata is decoded, and a kho-v2 subtree whose blob is
/// not an FDT (which the kernel accepts) is listed with its problem while
/// the walk goes on.
@Suite("kholedger walk of kernel handovers")
struct WalkKernelHandoverTests {
    /// Exports `point` of `ledger` and returns the walk arguments of the export.
    private func exported(_ ledger: SimulatedLedger, at point: String) throws -> [String] {
        let (elf, dtb) = (ledger.directory.path("h.elf"), ledger.directory.path("h.dtb"))
        let export = try ledger.kholedger(["export", "--at", point, "--image", elf, "--fdt", dtb])
        #expect(export.status == 0, "\(export.stderr)")
        return ["--fdt", dtb, "--image", elf]
    }

    @Test func kexecMetadataIsDecoded() throws {
        let ledger = try SimulatedLedger(example: "multi-generation.yaml")
        let capture = try exported(ledger, at: "gen:2")
        let text = try ToolRunner.run(["walk"] + capture)
        #expect(text.status == 0 && text.stderr.isEmpty, "\(text.stderr)")
        #expect(text.stdout.hasSuffix("\nkexec-metadata 7.1.0 3\n"), "generation 2 is the third boot since the cold boot")
        let json = try ToolRunner.run(["walk", "--format", "json"] + capture)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let metadata = try #require(object["kexec_metadata"] as? [String: Any])
        #expect(metadata["previous_release"] as? String == "7.1.0" && metadata["kexec_count"] as? Int == 3)
        let imported = try ToolRunner.run(["import", "--ledger", ledger.directory.path("copy.db"), "--format", "json"] + capture)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any])
        #expect((summary["kexec_metadata"] as? [String: Any])?["kexec_count"] as? Int == 3, "\(imported.stderr)")
    }

    @Test func rawBlobUnderKhoV2IsListedAndTheWalkGoesOn() throws {
        let ledger = try SimulatedLedger(example: "audit-subtree-fdt.yaml")
        let capture = try exported(ledger, at: "gen:0")
        let blob = try ToolRunner.sqlite(ledger.path, "SELECT phys FROM v_subtrees WHERE name = 'app' AND direction = 'out'")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try ToolRunner.run(["walk"] + capture)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("\nsubtree app \(blob)\n"), "listed without a size")
        #expect(result.stderr.hasPrefix("warning: subtree app blob at \(blob): kho-v2 blobs are FDTs, but the magic is "),
                "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        let json = try ToolRunner.run(["walk", "--format", "json"] + capture)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let app = try #require((object["subtrees"] as? [[String: Any]])?.first { $0["name"] as? String == "app" })
        #expect(app["size"] == nil && (app["error"] as? String)?.contains("kho-v2 blobs are FDTs") == true)
        let imported = try ToolRunner.run(["import", "--ledger", ledger.directory.path("copy.db")] + capture)
        #expect(imported.status == 0, "\(imported.stderr)")
    }
}
