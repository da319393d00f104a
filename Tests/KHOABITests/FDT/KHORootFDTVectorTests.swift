import KHOTestSupport
import Foundation
import KHOABI
import Testing

@Suite("FDT: KHO root FDT against the reference vectors")
struct KHORootFDTVectorTests {
    @Test("decode then encode reproduces kho.dtb byte for byte", arguments: ReferenceVector.names)
    func roundTrip(vectorName: String) throws {
        let vector = try ReferenceVector.named(vectorName)
        let dtb = try vector.bytes("kho.dtb")
        let pageSize = try #require(try vector.expected()["page_size"] as? Int)
        let root = try KHORootFDT(bytes: dtb)
        #expect(try root.encode(pageSize: pageSize) == dtb)
    }

    @Test("subtrees, generation and map match expected.json and walk.txt", arguments: ReferenceVector.names)
    func decodedValues(vectorName: String) throws {
        let vector = try ReferenceVector.named(vectorName)
        let expected = try vector.expected()
        let root = try KHORootFDT(bytes: vector.bytes("kho.dtb"))

        #expect(root.generation.compatible == expected["compat"] as? String)
        if let variant = expected["v1_variant"] as? String {
            #expect(root.generation.rawValue == variant)
            #expect(root.preservedMemoryMap == parseHex(expected["mem_map_phys"]))
        } else {
            #expect(root.preservedMemoryMap == parseHex(expected["radix_root_phys"]))
        }

        let walk = String(decoding: try vector.data("walk.txt"), as: UTF8.self)
        let subtreeLines = walk.split(separator: "\n").filter { $0.hasPrefix("subtree ") }.map(String.init)
        let ours = root.subtrees.map { "subtree \($0.name) \(hex($0.phys)) \($0.size.map(String.init) ?? "-")" }
        if root.generation.hasBlobSize {
            #expect(ours == subtreeLines)
        } else {
            // kho-v1 records no size: compare name and address only.
            #expect(ours.map { $0.split(separator: " ").prefix(3) } == subtreeLines.map { $0.split(separator: " ").prefix(3) })
        }

        let listed = try #require(expected["subtrees"] as? [[String: Any]])
        #expect(root.subtrees.map(\.name) == listed.map { $0["name"] as? String ?? "" })
        #expect(root.subtrees.map(\.phys) == listed.map { parseHex($0["phys"]) ?? 0 })
    }
}
