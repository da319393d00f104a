import Foundation
import KHOABI
import KHOImage
import KHOReplay
import KHOTestSupport
import Testing

/// Every reference vector: the handover walk equals walk.txt, and every area
/// restores to the bytes of expected.json with the kernel's preserved check on.
@Suite("Reference vectors: handover walk and vmalloc restore")
struct VectorRestoreTests {
    @Test(arguments: ReferenceVector.names)
    func walkEqualsWalkTxt(name: String) throws {
        let vector = try ReferenceVector.named(name)
        let walk = try walk(vector, read: vector.memory().reader)
        let lines = walk.preserved.map(\.description) + walk.subtrees.map(\.description)
        #expect(lines.joined(separator: "\n") + "\n" == String(decoding: try vector.data("walk.txt"), as: UTF8.self))
        #expect(walk.generation.compatible == (try vector.expected()["compat"] as? String))
    }

    @Test(arguments: ReferenceVector.names)
    func areasRestoreFromElf(name: String) throws {
        let vector = try ReferenceVector.named(name)
        try checkAreas(vector, read: vector.memory().reader)
    }

    @Test func areasRestoreFromRawImage() throws {
        let vector = try ReferenceVector.named("k4-s7")
        let baseText = String(decoding: try vector.data("memory.raw.base"), as: UTF8.self)
        let base = try #require(parseHex(baseText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let raw = try RawImage(path: vector.path("memory.raw"), base: base)
        #expect(try walk(vector, read: raw.reader) == walk(vector, read: vector.memory().reader))
        try checkAreas(vector, read: raw.reader)
    }

    /// The consumers' vmalloc-preserved arrays (test_kho's folio list, the
    /// memfd folio array) pass every check too.
    @Test(arguments: ["k4-v1b-s17", "k4-cons-s19"])
    func consumerDescriptorsRestore(name: String) throws {
        let vector = try ReferenceVector.named(name)
        let memory = try vector.memory()
        let heads = try walk(vector, read: memory.reader).heads(vector.geometry())
        let consumers = try #require(try vector.expected()["consumers"] as? [String: [String: Any]])
        let restorer = VmallocRestorer(geometry: try vector.geometry(), read: memory.reader, heads: heads)
        for (consumer, key) in [("kho_test", "descriptor_phys"), ("memfd", "folios_descriptor_phys")] {
            let info = try #require(consumers[consumer], "\(name) \(consumer)")
            let area = try restorer.restore(descriptorAt: try #require(parseHex(info[key])))
            #expect(Int(area.descriptor.totalPages) == info["array_pages"] as? Int, "\(name) \(consumer)")
        }
    }

    private func walk(_ vector: ReferenceVector, read: MemoryReader) throws -> HandoverWalk {
        let variant = (try vector.expected()["v1_variant"] as? String).flatMap(BitmapVariant.init(rawValue:)) ?? .v1b
        return try HandoverWalker(geometry: vector.geometry(), bitmapVariant: variant).walk(fdt: vector.bytes("kho.dtb"), read: read)
    }

    /// Restores every area of expected.json through `read`, checked against
    /// the walk's preserved set, and compares hash, chunks and the streamed bytes.
    private func checkAreas(_ vector: ReferenceVector, read: @escaping MemoryReader) throws {
        let geometry = try vector.geometry()
        let restorer = VmallocRestorer(geometry: geometry, read: read, heads: try walk(vector, read: read).heads(geometry))
        let areas = try vector.areas()
        #expect(!areas.isEmpty)
        for expected in areas {
            let label = "\(vector.name) \(expected["name"] ?? "?")"
            var streamed = Data()
            let area = try restorer.restore(descriptorAt: try #require(parseHex(expected["descriptor_phys"])),
                                            into: { streamed.append(contentsOf: $0) })
            #expect(area.sha256 == expected["sha256"] as? String, "\(label)")
            #expect(sha256Hex(streamed) == area.sha256, "\(label)")
            #expect(area.size == UInt64(streamed.count), "\(label)")
            #expect(area.chunkPhys.count == expected["nr_chunks"] as? Int, "\(label)")
            #expect(area.chunkPhys == (expected["chunk_phys"] as? [Any])?.compactMap(parseHex), "\(label)")
            #expect(Int(area.descriptor.totalPages) == expected["total_pages"] as? Int, "\(label)")
            #expect(area.order == expected["order"] as? Int, "\(label)")
            #expect(Int(area.flags.rawValue) == expected["flags"] as? Int, "\(label)")
            #expect(area.blockPhys.count << area.order == Int(area.descriptor.totalPages), "\(label)")
        }
    }
}
