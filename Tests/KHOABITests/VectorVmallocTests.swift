import KHOTestSupport
import Foundation
import Testing
import KHOABI
import KHOImage

/// Every vmalloc area of every reference vector: descriptor bytes, the chunk
/// chain byte for byte, and the area's content hash in restore order.
@Suite("Reference vectors: vmalloc areas")
struct VectorVmallocTests {
    @Test(arguments: ReferenceVector.names)
    func areasMatchExpected(name: String) throws {
        let vector = try ReferenceVector.named(name)
        let geometry = try vector.geometry()
        let memory = try vector.memory()
        let preserved = Set(try vector.walkBlockLines())
        let areas = try vector.areas()
        #expect(!areas.isEmpty)

        for area in areas {
            let label = "\(name) \(area["name"] ?? "?")"
            let descriptorPhys = try #require(parseHex(area["descriptor_phys"]))
            let descriptorBytes = try memory.read(phys: descriptorPhys, count: VmallocDescriptor.size)
            let descriptor = try VmallocDescriptor(bytes: descriptorBytes, geometry: geometry)
            #expect(descriptor.encode() == descriptorBytes, "\(label)")
            #expect(Int(descriptor.totalPages) == area["total_pages"] as? Int, "\(label)")
            #expect(Int(descriptor.order) == area["order"] as? Int, "\(label)")
            #expect(Int(descriptor.flags.rawValue) == area["flags"] as? Int, "\(label)")

            var chunkPhys: [UInt64] = []
            var blocks: [UInt64] = []
            var next = descriptor.first
            while next != 0 {
                #expect(chunkPhys.count < 64, "\(label): runaway chunk chain")
                guard chunkPhys.count < 64 else { break }
                let page = try memory.read(phys: next, count: geometry.pageSize)
                let chunk = try VmallocChunk(bytes: page, geometry: geometry)
                #expect(try chunk.encode(geometry: geometry) == page, "\(label): chunk \(hex(next)) re-encodes byte for byte")
                #expect(preserved.contains("\(hex(next)) 0"), "\(label): chunk page preserved at order 0")
                chunkPhys.append(next)
                blocks += chunk.entries
                next = chunk.next
            }
            #expect(chunkPhys == (area["chunk_phys"] as? [Any])?.compactMap(parseHex), "\(label)")
            #expect(chunkPhys.count == area["nr_chunks"] as? Int, "\(label)")
            #expect(chunkPhys.count == VmallocChunkChain.chunkCount(blockCount: blocks.count, geometry: geometry), "\(label)")
            #expect(blocks.count == descriptor.blockCount, "\(label)")
            let rebuilt = try VmallocChunkChain.layout(blocks: blocks, chunkPhys: chunkPhys, geometry: geometry)
            for (chunk, phys) in zip(rebuilt, chunkPhys) {
                #expect(try chunk.encode(geometry: geometry) == memory.read(phys: phys, count: geometry.pageSize), "\(label)")
            }

            var content = Data()
            let blockBytes = Int(geometry.bytes(order: Int(descriptor.order)))
            for block in blocks {
                #expect(preserved.contains("\(hex(block)) \(descriptor.order)"), "\(label): block \(hex(block)) preserved")
                content.append(contentsOf: try memory.read(phys: block, count: blockBytes))
            }
            #expect(sha256Hex(content) == area["sha256"] as? String, "\(label)")
        }
    }
}
