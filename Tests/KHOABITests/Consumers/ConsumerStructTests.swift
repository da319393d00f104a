import KHOABI
import Testing

@Suite("Consumer: memfd, LUO and kexec-metadata structures")
struct ConsumerStructTests {
    static let descriptor: [UInt8] = [0x00, 0x50, 0x55, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]

    // MARK: memfd

    @Test func memfdV1RoundTripAndLayout() throws {
        let ser = MemfdLuoSer(pos: 0x22e75, size: 0x2c4c7, nrFolios: 40, folioArrayDescriptorBytes: Self.descriptor)
        let bytes = try ser.encode()
        #expect(bytes.count == 40)
        #expect(Array(bytes[0 ..< 8]) == [0x75, 0x2e, 0x02, 0, 0, 0, 0, 0])
        #expect(Array(bytes[16 ..< 24]) == [40, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[MemfdLuoSer.folioArrayDescriptorOffset...]) == Self.descriptor)
        #expect(try MemfdLuoSer(bytes: bytes) == ser)
    }

    @Test func memfdV1Rejections() {
        #expect(throws: ConsumerError.wrongLength(structure: "memfd_luo_ser", expected: 40, actual: 39)) {
            try MemfdLuoSer(bytes: [UInt8](repeating: 0, count: 39))
        }
        #expect(throws: ConsumerError.wrongLength(structure: "memfd_luo_ser.folios", expected: 16, actual: 8)) {
            try MemfdLuoSer(pos: 0, size: 0, nrFolios: 0, folioArrayDescriptorBytes: [UInt8](repeating: 0, count: 8)).encode()
        }
    }

    @Test func memfdV2RoundTripAndLayout() throws {
        let ser = MemfdLuoSerV2(pos: 1, size: 2, seals: [.seal, .write, .exec], nrFolios: 3, folioArrayDescriptorBytes: Self.descriptor)
        let bytes = try ser.encode()
        #expect(bytes.count == 48)
        #expect(Array(bytes[16 ..< 24]) == [0x29, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[24 ..< 32]) == [3, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[MemfdLuoSerV2.folioArrayDescriptorOffset...]) == Self.descriptor)
        #expect(try MemfdLuoSerV2(bytes: bytes) == ser)
    }

    @Test func memfdV2RejectsUnknownSealsAndFlags() throws {
        var bytes = try MemfdLuoSerV2(pos: 0, size: 0, seals: [], nrFolios: 0, folioArrayDescriptorBytes: Self.descriptor).encode()
        bytes[16] = 0x40
        #expect(throws: ConsumerError.invalidField(structure: "memfd_luo_ser(v2)", field: "seals", value: 0x40)) {
            try MemfdLuoSerV2(bytes: bytes)
        }
        bytes[16] = 0
        bytes[21] = 1
        #expect(throws: ConsumerError.invalidField(structure: "memfd_luo_ser(v2)", field: "flags", value: 0x100)) {
            try MemfdLuoSerV2(bytes: bytes)
        }
        #expect(throws: ConsumerError.invalidField(structure: "memfd_luo_ser(v2)", field: "flags", value: 2)) {
            try MemfdLuoSerV2(pos: 0, size: 0, seals: [], flags: 2, nrFolios: 0, folioArrayDescriptorBytes: Self.descriptor).encode()
        }
    }

    @Test func memfdFolioBitFieldPlacement() throws {
        let folio = MemfdLuoFolioSer(pfn: 0x1_2345_6789, flags: [.dirty, .uptodate], index: 5)
        // word = pfn | 0b11 << 52 = 0x0030_0001_2345_6789, little-endian.
        let expected: [UInt8] = [0x89, 0x67, 0x45, 0x23, 0x01, 0x00, 0x30, 0x00,
                                 0x05, 0, 0, 0, 0, 0, 0, 0]
        #expect(try folio.encode() == expected)
        #expect(try MemfdLuoFolioSer(bytes: expected) == folio)

        // Highest pfn and only UPTODATE: bits 0-51 all set, bit 53 set.
        let top = MemfdLuoFolioSer(pfn: 1 << 52 - 1, flags: .uptodate, index: 0x0102)
        #expect(try top.encode() == [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x2f, 0x00, 0x02, 0x01, 0, 0, 0, 0, 0, 0])
        // Unknown flag bits decode and survive a round trip.
        let odd: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0]
        let decoded = try MemfdLuoFolioSer(bytes: odd)
        #expect(decoded.pfn == 1)
        #expect(decoded.flags.rawValue == 0xf00)
        #expect(try decoded.encode() == odd)
    }

    @Test func memfdFolioRejectsOverflow() {
        #expect(throws: ConsumerError.invalidField(structure: "memfd_luo_folio_ser", field: "pfn", value: 1 << 52)) {
            try MemfdLuoFolioSer(pfn: 1 << 52, flags: [], index: 0).encode()
        }
        #expect(throws: ConsumerError.invalidField(structure: "memfd_luo_folio_ser", field: "flags", value: 0x1000)) {
            try MemfdLuoFolioSer(pfn: 1, flags: MemfdFolioFlags(rawValue: 0x1000), index: 0).encode()
        }
    }

    @Test func recordArrays() throws {
        let folios = (0 ..< 3).map { MemfdLuoFolioSer(pfn: 0x100000 + UInt64($0), flags: .dirty, index: UInt64($0) * 2) }
        let bytes = try MemfdLuoFolioSer.encodeArray(folios)
        #expect(bytes.count == 48)
        #expect(try MemfdLuoFolioSer.decodeArray(bytes + [UInt8](repeating: 0, count: 100), count: 3) == folios)
        #expect(throws: ConsumerError.wrongLength(structure: "memfd_luo_folio_ser[4]", expected: 64, actual: 48)) {
            try MemfdLuoFolioSer.decodeArray(bytes, count: 4)
        }
        #expect(throws: ConsumerError.self) { try MemfdLuoFolioSer.decodeArray(bytes, count: Int.max) }
    }

    // MARK: LUO

    @Test func luoSessionRecords() throws {
        let header = LUOSessionHeaderSer(count: 2)
        #expect(try header.encode() == [2, 0, 0, 0, 0, 0, 0, 0])
        #expect(try LUOSessionHeaderSer(bytes: header.encode()) == header)

        let session = LUOSessionSer(name: "vm-1", files: 0x1_0055_c000, count: 1)
        let bytes = try session.encode()
        #expect(bytes.count == 80)
        #expect(Array(bytes[0 ..< 5]) == Array("vm-1\0".utf8))
        #expect(bytes[5 ..< 64].allSatisfy { $0 == 0 })
        #expect(Array(bytes[64 ..< 72]) == [0x00, 0xc0, 0x55, 0x00, 0x01, 0, 0, 0])
        #expect(Array(bytes[72 ..< 80]) == [1, 0, 0, 0, 0, 0, 0, 0])
        #expect(try LUOSessionSer(bytes: bytes) == session)

        let longest = LUOSessionSer(name: String(repeating: "n", count: 63), files: 0, count: 0)
        #expect(try LUOSessionSer(bytes: longest.encode()) == longest)
    }

    @Test func luoFileRecord() throws {
        let file = LUOFileSer(compatible: MemfdLuoSer.compatible, data: 0x1_0054_8000, token: 187)
        let bytes = try file.encode()
        #expect(bytes.count == 64)
        #expect(Array(bytes[0 ..< 9]) == Array("memfd-v1\0".utf8))
        #expect(Array(bytes[48 ..< 56]) == [0x00, 0x80, 0x54, 0x00, 0x01, 0, 0, 0])
        #expect(Array(bytes[56 ..< 64]) == [187, 0, 0, 0, 0, 0, 0, 0])
        #expect(try LUOFileSer(bytes: bytes) == file)
    }

    @Test func fixedStringRejections() throws {
        let long = String(repeating: "x", count: 64)
        #expect(throws: ConsumerError.stringDoesNotFit(structure: "luo_session_ser", field: "name", value: long, capacity: 64)) {
            try LUOSessionSer(name: long, files: 0, count: 0).encode()
        }
        #expect(throws: ConsumerError.stringDoesNotFit(structure: "luo_file_ser", field: "compatible", value: "a\0b", capacity: 48)) {
            try LUOFileSer(compatible: "a\0b", data: 0, token: 0).encode()
        }
        var bytes = try LUOFileSer(compatible: "memfd-v1", data: 0, token: 0).encode()
        for index in 0 ..< 48 { bytes[index] = 0x41 }
        #expect(throws: ConsumerError.unterminatedString(structure: "luo_file_ser", field: "compatible", capacity: 48)) {
            try LUOFileSer(bytes: bytes)
        }
    }

    // MARK: kexec-metadata

    @Test func kexecMetadataRoundTripAndLayout() throws {
        let metadata = KexecMetadata(previousRelease: "7.1.0-rc3-kho", kexecCount: 3)
        let bytes = try metadata.encode()
        #expect(bytes.count == 73)
        #expect(Array(bytes[0 ..< 4]) == [1, 0, 0, 0])
        #expect(Array(bytes[4 ..< 18]) == Array("7.1.0-rc3-kho\0".utf8))
        #expect(bytes[18 ..< 69].allSatisfy { $0 == 0 })
        #expect(Array(bytes[69 ..< 73]) == [3, 0, 0, 0])
        #expect(try KexecMetadata(bytes: bytes) == metadata)
    }

    @Test func kexecMetadataRejections() throws {
        var bytes = try KexecMetadata(previousRelease: "6.19", kexecCount: 1).encode()
        bytes[0] = 2
        #expect(throws: ConsumerError.invalidField(structure: "kho_kexec_metadata", field: "version", value: 2)) {
            try KexecMetadata(bytes: bytes)
        }
        #expect(throws: ConsumerError.wrongLength(structure: "kho_kexec_metadata", expected: 73, actual: 72)) {
            try KexecMetadata(bytes: Array(bytes.prefix(72)))
        }
        #expect(throws: ConsumerError.self) {
            try KexecMetadata(previousRelease: String(repeating: "r", count: 65), kexecCount: 1).encode()
        }
    }
}
