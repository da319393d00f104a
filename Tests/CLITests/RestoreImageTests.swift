import Foundation
import KHOABI
import KHOImage
import KHOTestSupport
import Testing

/// `kholedger restore --image`: every area of every reference vector, and
/// the one-line errors of malformed dumps.
@Suite("kholedger restore --image")
struct RestoreImageTests {
    /// Restores every area of `vector` from `image` (extra arguments appended)
    /// and checks the JSON report and the written file against expected.json.
    private func restoreAllAreas(_ vector: ReferenceVector, image: [String]) throws {
        let directory = try TemporaryDirectory("restore-image")
        let pageSize = try vector.geometry().pageSize
        for area in try vector.areas() {
            let label = "\(vector.name) \(area["name"] ?? "?")"
            let output = directory.path("\(area["name"] ?? "area").bin")
            let descriptor = try #require(area["descriptor_phys"] as? String)
            let result = try ToolRunner.run(["restore"] + image + ["--page-size", "\(pageSize)", "--descriptor-phys", descriptor,
                                                                   "-o", output, "--format", "json"])
            #expect(result.status == 0, "\(label): \(result.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(label)")
            let totalPages = try #require(area["total_pages"] as? Int)
            #expect(report["sha256"] as? String == area["sha256"] as? String, "\(label)")
            #expect(report["size"] as? Int == totalPages * pageSize, "\(label)")
            #expect(report["chunks"] as? Int == area["nr_chunks"] as? Int, "\(label)")
            #expect(report["total_pages"] as? Int == totalPages, "\(label)")
            #expect(report["order"] as? Int == area["order"] as? Int, "\(label)")
            #expect(report["flags"] as? Int == area["flags"] as? Int, "\(label)")
            #expect(report["descriptor_phys"] as? String == descriptor, "\(label)")
            #expect(sha256Hex(try Data(contentsOf: URL(fileURLWithPath: output))) == area["sha256"] as? String, "\(label)")
            #expect(temporarySiblings(of: output).isEmpty, "\(label)")
        }
    }

    @Test(arguments: ReferenceVector.names)
    func everyAreaFromElfWithTrackerCheck(name: String) throws {
        let vector = try ReferenceVector.named(name)
        try restoreAllAreas(vector, image: ["--image", vector.path("memory.elf"), "--fdt", vector.path("kho.dtb")])
    }

    @Test(arguments: [true, false])
    func everyAreaFromRawImage(withFDT: Bool) throws {
        let vector = try ReferenceVector.named("k4-s7")
        let base = String(decoding: try vector.data("memory.raw.base"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let fdt = withFDT ? ["--fdt", vector.path("kho.dtb")] : []
        try restoreAllAreas(vector, image: ["--image", vector.path("memory.raw"), "--base", base] + fdt)
    }

    @Test func textReport() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let area = try #require(try vector.areas().first { $0["name"] as? String == "area-2" })
        let directory = try TemporaryDirectory("restore-text")
        let result = try ToolRunner.run(["restore", "--image", vector.path("memory.elf"), "--descriptor-phys",
                                         try #require(area["descriptor_phys"] as? String), "-o", directory.path("out.bin")])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let size = try #require(area["total_pages"] as? Int) * 4096
        #expect(lines == ["size \(size) bytes (\(size / 1024) KiB)", "sha256 \(try #require(area["sha256"] as? String))",
                          "chunks \(try #require(area["nr_chunks"] as? Int))"])
    }

    // MARK: malformed inputs: one `error:` line, non-zero exit, no output file

    @Test func descriptorInAHole() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let segments = try vector.memory().segments
        let hole = try #require(zip(segments, segments.dropFirst()).first { $0.end < $1.paddr }).0.end
        try expectFailedRestore(["--image", vector.path("memory.elf"), "--descriptor-phys", hex(hole)], mentioning: hex(hole))
    }

    @Test func descriptorOutsideTheImage() throws {
        let vector = try ReferenceVector.named("k4-s7")
        try expectFailedRestore(["--image", vector.path("memory.elf"), "--descriptor-phys", "0x1_0000"], mentioning: "0x10000")
    }

    @Test func chunkSelfLoop() throws {
        let directory = try TemporaryDirectory("restore-cycle")
        let image = try CraftedRawImage(next: CraftedRawImage.chunk).write(in: directory)
        try expectFailedRestore(image, mentioning: "cycle", in: directory)
    }

    @Test func totalPagesTooLarge() throws {
        let directory = try TemporaryDirectory("restore-huge")
        let image = try CraftedRawImage(totalPages: .max).write(in: directory)
        try expectFailedRestore(image, mentioning: "total_pages 4294967295", in: directory)
    }

    @Test func blockNotInTheTracker() throws {
        // A copy of k4-s7's raw image whose area-0 lists the radix root page,
        // which is in memory but (like every tracker page) not preserved.
        let directory = try TemporaryDirectory("restore-unpreserved")
        let vector = try ReferenceVector.named("k4-s7")
        let expected = try vector.expected()
        let base = try #require(parseHex(expected["memory_base"]))
        let root = try #require(parseHex(expected["radix_root_phys"]))
        let area = try #require(try vector.areas().first { $0["name"] as? String == "area-0" })
        let chunk = try #require((area["chunk_phys"] as? [Any])?.first.flatMap(parseHex))
        var raw = try vector.bytes("memory.raw")
        withUnsafeBytes(of: root.littleEndian) { raw.replaceSubrange(Int(chunk - base) + 8 ..< Int(chunk - base) + 16, with: $0) }
        let image = directory.path("patched.raw")
        try Data(raw).write(to: URL(fileURLWithPath: image))
        let descriptor = try #require(area["descriptor_phys"] as? String)
        try expectFailedRestore(["--image", image, "--base", hex(base), "--fdt", vector.path("kho.dtb"), "--descriptor-phys", descriptor],
                                mentioning: "chunk 0 entry 0: page \(hex(root)) has no KHO magic", in: directory)
        let unchecked = try ToolRunner.run(["restore", "--image", image, "--base", hex(base), "--descriptor-phys", descriptor,
                                            "-o", directory.path("unchecked.bin")])
        #expect(unchecked.status == 0, "without --fdt the page is only read: \(unchecked.stderr)")
    }

    @Test func failureKeepsAnExistingOutput() throws {
        let directory = try TemporaryDirectory("restore-keep")
        let output = try directory.write("out.bin", "previous")
        let image = try CraftedRawImage(next: CraftedRawImage.chunk).write(in: directory)
        let result = try ToolRunner.run(["restore"] + image + ["-o", output])
        try expectOneErrorLine(result, mentioning: "cycle")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous")
    }

    @Test func neitherImageNorAreaIsOneClearError() throws {
        let directory = try TemporaryDirectory()
        let result = try ToolRunner.run(["restore", "-o", directory.path("never-written.bin")])
        try expectOneErrorLine(result, mentioning: "--image")
        #expect(!FileManager.default.fileExists(atPath: directory.path("never-written.bin")))
    }

    @Test func descriptorAddressRequired() throws {
        let vector = try ReferenceVector.named("k4-s7")
        try expectFailedRestore(["--image", vector.path("memory.elf")], mentioning: "--descriptor-phys")
    }

    @Test func badDescriptorAddress() throws {
        let vector = try ReferenceVector.named("k4-s7")
        try expectFailedRestore(["--image", vector.path("memory.elf"), "--descriptor-phys", "0xzz"], mentioning: "0xzz")
    }

    /// Runs `restore arguments -o <tmp>/out.bin`, expects one error line and no output file.
    private func expectFailedRestore(_ arguments: [String], mentioning text: String, in directory: TemporaryDirectory? = nil) throws {
        let directory = try directory ?? TemporaryDirectory("restore-failed")
        let output = directory.path("out.bin")
        let result = try ToolRunner.run(["restore"] + arguments + ["-o", output])
        try expectOneErrorLine(result, mentioning: text)
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(temporarySiblings(of: output).isEmpty)
    }
}

/// A three-page raw image at ``base``: a descriptor, one chunk page listing
/// one block, the block.
private struct CraftedRawImage {
    static let base: UInt64 = 0x100000
    static let descriptor = base
    static let chunk = base + 0x1000
    static let block = base + 0x2000

    var next: UInt64 = 0
    var totalPages: UInt32 = 1

    /// Writes the image and returns the `restore` arguments that read it.
    func write(in directory: TemporaryDirectory) throws -> [String] {
        var bytes = [UInt8](repeating: 0xa5, count: 3 * 4096)
        func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset ..< offset + $0.count, with: $0) }
        }
        bytes.replaceSubrange(0 ..< 0x2000, with: [UInt8](repeating: 0, count: 0x2000))
        store(Self.chunk, at: 0)
        store(totalPages, at: 8)
        store(UInt16(1), at: 12)
        store(next, at: 0x1000)
        store(Self.block, at: 0x1008)
        let path = directory.path("crafted.raw")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return ["--image", path, "--base", hex(Self.base), "--descriptor-phys", hex(Self.descriptor)]
    }
}
