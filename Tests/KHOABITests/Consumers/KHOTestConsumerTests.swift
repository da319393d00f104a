import KHOABI
import Testing

@Suite("Consumer: test_kho FDT, LUO FDT and checksum")
struct KHOTestConsumerTests {
    static let descriptor: [UInt8] = [0x00, 0xb0, 0x98, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]

    @Test func descriptorFormatRoundTrip() throws {
        let value = KHOTestFDT(nrFolios: 8, csum: 0x3215a, foliosInfo: .vmallocDescriptor(Self.descriptor))
        let bytes = try value.encode()
        #expect(try KHOTestFDT(bytes: bytes, format: .vmallocDescriptor) == value)
        let tree = try FlattenedDeviceTree(bytes: bytes)
        #expect(try tree.property(named: "magic", of: tree.root) == [0x21, 0x4f, 0x48, 0x4b])
        let offset = try KHOTestFDT.foliosInfoOffset(in: tree)
        #expect(Array(bytes[offset ..< offset + 16]) == Self.descriptor)
        // kho_test_prepare_fdt's order.
        #expect(try tree.properties(of: tree.node(atPath: "/data")).map(\.name) == ["nr_folios", "folios_info", "csum"])
    }

    /// `kho_superstate[]`: `kho_test0` … `kho_test3` with magics
    /// 0x4b484f30 … 33 ("KHO0" … "KHO3"); each FDT must carry its own.
    @Test func chainSubtreesCarryTheirOwnMagic() throws {
        #expect(KHOTestSubtree.chain.map(\.name) == ["kho_test0", "kho_test1", "kho_test2", "kho_test3"])
        #expect(KHOTestSubtree.chain.map(\.magic) == [0x4b48_4f30, 0x4b48_4f31, 0x4b48_4f32, 0x4b48_4f33])
        #expect(KHOTestSubtree.chain.map(\.magicText) == ["KHO0", "KHO1", "KHO2", "KHO3"])
        #expect(KHOTestSubtree(name: "kho_test2") == KHOTestSubtree.chain[2])
        #expect(KHOTestSubtree(name: "kho_test4") == nil)
        let test1 = KHOTestSubtree.chain[1]
        let value = KHOTestFDT(nrFolios: 8, csum: 9, foliosInfo: .vmallocDescriptor(Self.descriptor), magic: test1.magic)
        let bytes = try value.encode()
        #expect(try KHOTestFDT(bytes: bytes, format: .vmallocDescriptor, subtree: test1) == value)
        #expect(throws: FDTError.invalidPropertyValue(node: "/", property: "magic", value: 0x4b48_4f31)) {
            try KHOTestFDT(bytes: bytes, format: .vmallocDescriptor, subtree: KHOTestSubtree.chain[0])
        }
        let summary = try #require(KHOTestFDT.summary(subtree: "kho_test1", blob: bytes))
        #expect([summary.subtree, summary.magic, "\(summary.nrFolios)", summary.csum] == ["kho_test1", "KHO1", "8", "0x9"])
        #expect(KHOTestFDT.summary(subtree: "kho_test0", blob: bytes) == nil)
    }

    @Test func arrayFormatRoundTrip() throws {
        let entries = [KHOTestFolio(phys: 0x1_0040_0000, order: 9), KHOTestFolio(phys: 0x1_0000_3000, order: 0)]
        let value = KHOTestFDT(nrFolios: 2, csum: 7, foliosInfo: .physOrderArray(entries.map(\.entry)))
        let bytes = try value.encode()
        #expect(try KHOTestFDT(bytes: bytes, format: .physOrderArray) == value)
        #expect(entries.map { KHOTestFolio(entry: $0.entry, geometry: .kib4) } == entries)
        #expect(KHOTestFoliosInfo.Format(generation: .v1a) == .physOrderArray)
        #expect(KHOTestFoliosInfo.Format(generation: .v1b) == .vmallocDescriptor)
    }

    /// A hand-built test FDT with arbitrary values.
    static func testFDT(compatible: String = "kho-test-v1", magic: UInt32 = 0x4b48_4f21,
                        nrFolios: UInt32 = 3, foliosInfo: [UInt8] = [UInt8](repeating: 0, count: 16),
                        withData: Bool = true) throws -> [UInt8] {
        try FDTSequentialWriter.build { writer throws(FDTError) in
            try writer.beginNode("")
            try writer.property("compatible", string: compatible)
            try writer.property("magic", withUnsafeBytes(of: magic.littleEndian, Array.init))
            if withData {
                try writer.beginNode("data")
                try writer.property("nr_folios", withUnsafeBytes(of: nrFolios.littleEndian, Array.init))
                try writer.property("csum", [0, 0, 0, 0])
                try writer.property("folios_info", foliosInfo)
                try writer.endNode()
            }
            try writer.endNode()
        }.bytes
    }

    @Test func arrayLengthMustMatchNrFolios() throws {
        let value = KHOTestFDT(nrFolios: 3, csum: 0, foliosInfo: .physOrderArray([0x1000, 0x2000]))
        #expect(throws: FDTError.wrongPropertyLength(node: "/data", property: "folios_info", expected: 24, actual: 16)) {
            try value.encode()
        }
        let bytes = try Self.testFDT(nrFolios: 3, foliosInfo: [UInt8](repeating: 0, count: 16))
        #expect(throws: FDTError.wrongPropertyLength(node: "/data", property: "folios_info", expected: 24, actual: 16)) {
            try KHOTestFDT(bytes: bytes, format: .physOrderArray)
        }
        // The same 16 bytes are a valid descriptor: the caller must name the format.
        #expect(try KHOTestFDT(bytes: bytes, format: .vmallocDescriptor).nrFolios == 3)
        let short = try Self.testFDT(foliosInfo: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(throws: FDTError.wrongPropertyLength(node: "/data", property: "folios_info", expected: 16, actual: 8)) {
            try KHOTestFDT(bytes: short, format: .vmallocDescriptor)
        }
    }

    @Test func testFDTRejections() throws {
        #expect(throws: FDTError.unexpectedCompatible(node: "/", found: "kho-test-v2", expected: "kho-test-v1")) {
            try KHOTestFDT(bytes: Self.testFDT(compatible: "kho-test-v2"), format: .vmallocDescriptor)
        }
        #expect(throws: FDTError.invalidPropertyValue(node: "/", property: "magic", value: 0x214f_484b)) {
            try KHOTestFDT(bytes: Self.testFDT(magic: 0x214f_484b), format: .vmallocDescriptor)
        }
        #expect(throws: FDTError.nodeNotFound(path: "/data")) {
            try KHOTestFDT(bytes: Self.testFDT(withData: false), format: .vmallocDescriptor)
        }
    }

    @Test func luoFDTRoundTripAndRejection() throws {
        let luo = LUOFDT(liveupdateNumber: 7, sessionHeaderPhys: 0x1_0054_d000)
        let bytes = try luo.encode()
        #expect(try LUOFDT(bytes: bytes) == luo)
        let tree = try FlattenedDeviceTree(bytes: bytes)
        #expect(try tree.property(named: "liveupdate-number", of: tree.root) == [7, 0, 0, 0, 0, 0, 0, 0])

        let wrong = try FDTSequentialWriter.build { writer throws(FDTError) in
            try writer.beginNode("")
            try writer.property("compatible", string: "luo-v1")
            try writer.property("liveupdate-number", [7, 0, 0, 0])
            try writer.endNode()
        }
        #expect(throws: FDTError.wrongPropertyLength(node: "/", property: "liveupdate-number", expected: 8, actual: 4)) {
            try LUOFDT(tree: wrong)
        }
    }

    // MARK: checksum

    @Test func checksumOfHandComputedExamples() {
        // Words 0x0201 + 0x0403 = 0x0604.
        #expect(InternetChecksum.partial([1, 2, 3, 4]) == 0x0604)
        // A trailing odd byte is a word's low byte.
        #expect(InternetChecksum.partial([1, 2, 3]) == 0x0204)
        #expect(InternetChecksum.partial([], seed: 0x1234) == 0x1234)
        // 0x20000 words of 0xffff sum to 0x1_fffe_0000, which folds to 0xffff.
        let ones = [UInt8](repeating: 0xff, count: 0x40000)
        #expect(InternetChecksum.partial(ones) == 0xffff)
        // Each call's folded sum is added to the 32-bit seed: 0x1_0000 + 0xffff.
        #expect(InternetChecksum.partial([0xff, 0xff], seed: 0x1_0000) == 0x1_ffff)
        // Seed carry: 0xffff_ffff + 0x0001 wraps around to 0x0000_0001.
        #expect(InternetChecksum.partial([1, 0], seed: 0xffff_ffff) == 1)
        // Chaining over even-length buffers folds to the one-pass value.
        let data = (0 ..< 1000).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        let chained = InternetChecksum.partial(Array(data[500...]), seed: InternetChecksum.partial(Array(data[..<500])))
        #expect(InternetChecksum.fold(chained) == InternetChecksum.fold(InternetChecksum.partial(data)))
        #expect(InternetChecksum.fold(0x0003_215a) == 0x215d)
        #expect(InternetChecksum.fold(0xffff_ffff) == 0xffff)
        #expect(InternetChecksum.fold(0x0001_ffff) == 0x0001)
    }
}
