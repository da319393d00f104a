import KHOTestSupport
import Crypto
import KHOABI
import KHOImage
import Testing

/// The consumer blobs of the reference vectors, read from their memory.elf.
@Suite("Consumer: test_kho and memfd blobs of the reference vectors")
struct ConsumerVectorTests {
    static let vectors = ["k4-cons-s19", "k4-v1b-s17"]

    /// One vector with its memory image and decoded root.
    struct Fixture {
        let image: ElfCoreImage
        let consumers: [String: Any]
        let root: KHORootFDT
        let geometry: PageGeometry
        let vector: ReferenceVector

        init(_ name: String) throws {
            vector = try ReferenceVector.named(name)
            image = try ElfCoreImage(path: vector.directory.appendingPathComponent("memory.elf").path)
            let expected = try vector.expected()
            consumers = try #require(expected["consumers"] as? [String: Any])
            root = try KHORootFDT(bytes: vector.bytes("kho.dtb"))
            geometry = try PageGeometry(pageSize: #require(expected["page_size"] as? Int))
        }

        /// Order of every preserved block, from walk.txt.
        func trackerOrders() throws -> [UInt64: Int] {
            let walk = String(decoding: try vector.data("walk.txt"), as: UTF8.self)
            var orders: [UInt64: Int] = [:]
            for line in walk.split(separator: "\n") where line.hasPrefix("0x") {
                let fields = line.split(separator: " ")
                if let phys = parseHex(String(fields[0])), let order = Int(fields[1]) { orders[phys] = order }
            }
            return orders
        }

        func subtree(_ name: String) throws -> KHOSubtree {
            try #require(root.subtrees.first { $0.name == name })
        }

        /// The blob of a subtree: `blob-size` bytes, or a sub-FDT's totalsize (kho-v1).
        func blob(_ name: String) throws -> [UInt8] {
            let subtree = try subtree(name)
            if let size = subtree.size { return try image.read(phys: subtree.phys, count: Int(size)) }
            let header = try FDTHeader(bytes: image.read(phys: subtree.phys, count: FDTHeader.size))
            return try image.read(phys: subtree.phys, count: Int(header.totalSize))
        }

        /// The bytes of a vmalloc area, walking the descriptor's chunk pages
        /// (next u64 @0, block addresses from @8, 0-terminated).
        func vmallocArea(descriptor: [UInt8]) throws -> [UInt8] {
            let first = descriptor.loadLittleEndian(UInt64.self, at: 0)
            let totalPages = Int(descriptor.loadLittleEndian(UInt32.self, at: 8))
            let order = Int(descriptor.loadLittleEndian(UInt16.self, at: 14))
            var blocks = totalPages >> order
            var data: [UInt8] = []
            var chunk = first
            while chunk != 0, blocks > 0 {
                let page = try image.readPage(chunk, geometry: geometry)
                for slot in 0 ..< geometry.vmallocChunkEntries where blocks > 0 {
                    let phys = page.loadLittleEndian(UInt64.self, at: 8 + 8 * slot)
                    if phys == 0 { break }
                    data += try image.read(phys: phys, count: Int(geometry.bytes(order: order)))
                    blocks -= 1
                }
                chunk = page.loadLittleEndian(UInt64.self, at: 0)
            }
            #expect(blocks == 0, "vmalloc area shorter than its descriptor")
            return data
        }
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    @Test("test_kho FDT decodes, re-encodes and its checksum matches", arguments: vectors)
    func khoTest(vectorName: String) throws {
        let fixture = try Fixture(vectorName)
        let expected = try #require(fixture.consumers["kho_test"] as? [String: Any])
        let subtree = try fixture.subtree(KHOTestSubtree.single.name)
        #expect(subtree.phys == parseHex(expected["fdt_phys"]))

        let bytes = try fixture.blob(KHOTestSubtree.single.name)
        #expect(bytes.count == expected["fdt_size"] as? Int)
        let tree = try FlattenedDeviceTree(bytes: bytes)
        let test = try KHOTestFDT(tree: tree, format: KHOTestFoliosInfo.Format(generation: fixture.root.generation))
        // The vectors write /data's properties as nr_folios, csum, folios_info; the
        // kernel (kho_test_prepare_fdt) and our encoder as nr_folios, folios_info, csum.
        let reencoded = try FlattenedDeviceTree(bytes: try test.encode())
        #expect(try KHOTestFDT(tree: reencoded, format: KHOTestFoliosInfo.Format(generation: fixture.root.generation)) == test)
        let dataNode = try #require(try reencoded.subnodes(of: .root).first { $0.name == "data" })
        #expect(try reencoded.properties(of: dataNode).map(\.name) == ["nr_folios", "folios_info", "csum"])
        #expect(Int(test.nrFolios) == expected["nr_folios"] as? Int)
        #expect(Int(test.csum) == expected["csum"] as? Int)
        #expect(subtree.phys + UInt64(try KHOTestFDT.foliosInfoOffset(in: tree)) == parseHex(expected["descriptor_phys"]))

        guard case .vmallocDescriptor(let descriptor) = test.foliosInfo else {
            Issue.record("6.18+ layout expected")
            return
        }
        let array = try fixture.vmallocArea(descriptor: descriptor)
        var data: [UInt8] = []
        var csum: UInt32 = 0
        for index in 0 ..< Int(test.nrFolios) {
            let folio = KHOTestFolio(entry: array.loadLittleEndian(UInt64.self, at: 8 * index), geometry: fixture.geometry)
            let bytes = try fixture.image.read(phys: folio.phys, count: Int(fixture.geometry.bytes(order: folio.order)))
            csum = InternetChecksum.partial(bytes, seed: csum)
            data += bytes
        }
        #expect(csum == test.csum)
        #expect(Int(InternetChecksum.fold(csum)) == expected["csum_folded"] as? Int)
        #expect(InternetChecksum.fold(InternetChecksum.partial(data)) == InternetChecksum.fold(csum))
        #expect(Self.sha256(data) == expected["sha256"] as? String)
    }

    @Test("LUO FDT, session, file and memfd-v1 structures decode and re-encode", arguments: vectors)
    func memfd(vectorName: String) throws {
        let fixture = try Fixture(vectorName)
        let expected = try #require(fixture.consumers["memfd"] as? [String: Any])
        let image = fixture.image

        let luoBytes = try fixture.blob(LUOFDT.subtreeName)
        #expect(luoBytes.count == expected["luo_fdt_size"] as? Int)
        let luo = try LUOFDT(bytes: luoBytes)
        #expect(try luo.encode() == luoBytes)
        #expect(Int(luo.liveupdateNumber) == expected["liveupdate_number"] as? Int)
        #expect(luo.sessionHeaderPhys == parseHex(expected["session_header_phys"]))

        let header = try LUOSessionHeaderSer(bytes: image.read(phys: luo.sessionHeaderPhys, count: LUOSessionHeaderSer.byteCount))
        #expect(header.count == 1)
        let sessionBytes = try image.read(phys: luo.sessionHeaderPhys + UInt64(LUOSessionHeaderSer.byteCount),
                                          count: Int(header.count) * LUOSessionSer.byteCount)
        let sessions = try LUOSessionSer.decodeArray(sessionBytes, count: Int(header.count))
        #expect(try LUOSessionSer.encodeArray(sessions) == sessionBytes)
        let session = try #require(sessions.first)
        #expect(session.name == expected["session"] as? String)
        #expect(session.files == parseHex(expected["files_phys"]))

        let fileBytes = try image.read(phys: session.files, count: Int(session.count) * LUOFileSer.byteCount)
        let file = try #require(try LUOFileSer.decodeArray(fileBytes, count: Int(session.count)).first)
        #expect(try file.encode() == Array(fileBytes.prefix(LUOFileSer.byteCount)))
        #expect(file.compatible == expected["compatible"] as? String)
        #expect(file.compatible == MemfdLuoSer.compatible)
        #expect(Int(file.token) == expected["token"] as? Int)
        #expect(file.data == parseHex(expected["ser_phys"]))

        let serBytes = try image.read(phys: file.data, count: MemfdLuoSer.byteCount)
        let ser = try MemfdLuoSer(bytes: serBytes)
        #expect(try ser.encode() == serBytes)
        #expect(Int(ser.pos) == expected["pos"] as? Int)
        #expect(Int(ser.size) == expected["size"] as? Int)
        #expect(Int(ser.nrFolios) == expected["nr_folios"] as? Int)
        #expect(file.data + UInt64(MemfdLuoSer.folioArrayDescriptorOffset) == parseHex(expected["folios_descriptor_phys"]))

        let array = try fixture.vmallocArea(descriptor: ser.folioArrayDescriptorBytes)
        #expect(array.count == (expected["array_pages"] as? Int ?? 0) * fixture.geometry.pageSize)
        let folios = try MemfdLuoFolioSer.decodeArray(array, count: Int(ser.nrFolios))
        #expect(try MemfdLuoFolioSer.encodeArray(folios) == Array(array.prefix(folios.count * MemfdLuoFolioSer.byteCount)))
        #expect(folios.allSatisfy { $0.flags == [.dirty, .uptodate] })

        // Rebuild the file: each folio at index × page size, holes zero. A
        // folio's order is not in the array: the tracker (walk.txt) has it.
        let orders = try fixture.trackerOrders()
        var content = [UInt8](repeating: 0, count: Int(ser.size))
        for folio in folios where folio.pfn != 0 {
            let phys = folio.pfn << UInt64(fixture.geometry.pageShift)
            let order = try #require(orders[phys], "folio \(hex(phys)) is not preserved")
            let start = Int(folio.index) * fixture.geometry.pageSize
            guard start < content.count else { continue }
            let count = min(Int(fixture.geometry.bytes(order: order)), content.count - start)
            content.replaceSubrange(start ..< start + count, with: try image.read(phys: phys, count: count))
        }
        #expect(Self.sha256(content) == expected["sha256"] as? String)
    }
}
