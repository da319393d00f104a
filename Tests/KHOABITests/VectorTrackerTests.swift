import KHOTestSupport
import Foundation
import Testing
import KHOABI
import KHOImage

/// The tracker of every reference vector, walked from its memory image, must
/// list exactly the blocks of walk.txt.
@Suite("Reference vectors: tracker walks")
struct VectorTrackerTests {
    @Test func vectorsArePresent() throws {
        let vectors = try ReferenceVector.all()
        #expect(vectors.count >= 5, "found \(vectors.map(\.name)) in \(ReferenceVector.root.path)")
        #expect(Set(try vectors.map { try $0.geometry().pageSize }) == [4096, 16384, 65536])
    }

    @Test(arguments: ReferenceVector.names)
    func walkMatchesWalkTxt(name: String) throws {
        let vector = try ReferenceVector.named(name)
        let expected = try vector.expected()
        let geometry = try vector.geometry()
        let memory = try vector.memory()

        let walked: [PreservedBlock]
        if let variantName = expected["v1_variant"] as? String {
            let variant = try #require(BitmapVariant(rawValue: variantName))
            let walker = BitmapTrackerWalker(geometry: geometry, variant: variant,
                                             firstChunkPhys: try #require(parseHex(expected["mem_map_phys"])))
            walked = try walker.blocks(read: memory.reader)
            let chunks = try walker.chunks(read: memory.reader)
            let expectedChunks = try #require(expected["v1_chunks"] as? [[String: Any]])
            #expect(chunks.map(\.phys) == expectedChunks.map { parseHex($0["phys"]) })
            #expect(chunks.map(\.order) == expectedChunks.map { $0["order"] as? Int })
            #expect(chunks.map(\.bitmaps.count) == expectedChunks.map { $0["num_elms"] as? Int })
            #expect(chunks.reduce(0) { $0 + $1.bitmaps.count } == expected["v1_bitmap_count"] as? Int)
            #expect(walker.bitmapBytes == expected["v1_bitmap_bytes"] as? Int)
            // Deserialization order: orders ascending chunk by chunk.
            #expect(walked.map(\.order) == walked.map(\.order).sorted())
        } else {
            let walker = RadixTrackerWalker(geometry: geometry, rootPhys: try #require(parseHex(expected["radix_root_phys"])))
            walked = try walker.blocks(read: memory.reader)
            #expect(try walker.nodePages(read: memory.reader).count == expected["radix_node_pages"] as? Int)
            // Kernel walk order: ascending keys (larger orders first).
            let keys = try walked.map { try RadixKey($0, geometry: geometry).rawValue }
            #expect(keys == keys.sorted())
        }

        let lines = walked.sorted().map(\.description)
        #expect(lines == (try vector.walkBlockLines()))
        let preserved = try #require(expected["preserved"] as? [String: Any])
        #expect(lines.count == preserved["count"] as? Int)
        #expect(sha256Hex(Data((lines.joined(separator: "\n") + "\n").utf8)) == preserved["sha256"] as? String)
    }
}
