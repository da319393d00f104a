import KHOTestSupport
import Foundation
import KHOABI
import Testing

@Suite("FDT: validated reader")
struct FDTReaderTests {
    /// A small tree: `/` with compatible and a u32, child `data` with two properties.
    static func sample() throws -> FlattenedDeviceTree {
        try FDTSequentialWriter.build { writer throws(FDTError) in
            try writer.beginNode("")
            try writer.property("compatible", string: "test-v1")
            try writer.property("magic", [0x21, 0x4f, 0x48, 0x4b])
            try writer.beginNode("data")
            try writer.property("a", [1, 2, 3])
            try writer.property("b", [])
            try writer.endNode()
            try writer.beginNode("other@10")
            try writer.endNode()
            try writer.endNode()
        }
    }

    @Test func looksUpNodesAndProperties() throws {
        let tree = try Self.sample()
        #expect(tree.header.magic == FDTHeader.magicValue)
        #expect(tree.bytes.count == Int(tree.header.totalSize))
        #expect(try tree.subnodes(of: tree.root).map(\.name) == ["data", "other@10"])
        let data = try tree.node(atPath: "/data")
        #expect(data.name == "data")
        #expect(try tree.property(named: "a", of: data) == [1, 2, 3])
        #expect(try tree.property(named: "b", of: data) == [])
        #expect(try tree.property(named: "missing", of: data) == nil)
        #expect(try tree.subnode(named: "data", of: tree.root) == data)
        #expect(try tree.subnode(named: "other", of: tree.root)?.name == "other@10") // libfdt unit-address matching
        #expect(try tree.subnode(named: "absent", of: tree.root) == nil)
        #expect(try tree.subnodes(of: data).isEmpty)
    }

    @Test func propertiesCarryValueOffsets() throws {
        let tree = try Self.sample()
        let properties = try tree.properties(of: try tree.node(atPath: "/data"))
        #expect(properties.map(\.name) == ["a", "b"])
        let a = try #require(properties.first)
        #expect(Array(tree.bytes[a.valueOffset ..< a.valueOffset + 3]) == [1, 2, 3])
    }

    @Test func missingPathIsTyped() throws {
        let tree = try Self.sample()
        #expect(throws: FDTError.nodeNotFound(path: "/nope")) { try tree.node(atPath: "/nope") }
        #expect(throws: FDTError.nodeNotFound(path: "relative")) { try tree.node(atPath: "relative") }
    }

    @Test func namesWithNULAreRefused() throws {
        let tree = try Self.sample()
        #expect(throws: FDTError.invalidName("a\0b")) { try tree.property(named: "a\0b", of: tree.root) }
    }

    @Test func bufferMayExtendPastTotalSize() throws {
        let tree = try Self.sample()
        let padded = try FlattenedDeviceTree(bytes: tree.bytes + [UInt8](repeating: 0xaa, count: 100))
        #expect(padded == tree)
    }

    @Test func rejectsBufferShorterThanHeader() throws {
        let bytes = Array(try Self.sample().bytes.prefix(39))
        #expect(throws: FDTError.truncatedHeader(bufferSize: 39)) { try FlattenedDeviceTree(bytes: bytes) }
    }

    @Test func rejectsWrongMagic() throws {
        var bytes = try Self.sample().bytes
        bytes[3] = 0xee
        #expect(throws: FDTError.badMagic(0xd00d_feee)) { try FlattenedDeviceTree(bytes: bytes) }
    }

    @Test func rejectsTotalSizeLargerThanBuffer() throws {
        let bytes = try Self.sample().bytes
        let truncated = Array(bytes.dropLast(1))
        #expect(throws: FDTError.totalSizeExceedsBuffer(totalSize: UInt32(bytes.count), bufferSize: bytes.count - 1)) {
            try FlattenedDeviceTree(bytes: truncated)
        }
    }

    @Test func rejectsUnsupportedVersion() throws {
        var bytes = try Self.sample().bytes
        bytes[23] = 18 // version
        bytes[27] = 18 // last compatible version
        #expect(throws: FDTError.unsupportedVersion(version: 18, lastCompatibleVersion: 18)) {
            try FlattenedDeviceTree(bytes: bytes)
        }
    }

    /// Found by fuzz-fdt: libfdt's fdt_check_full crashed on a version-14
    /// header; versions below 16 are now refused before libfdt sees them.
    @Test("versions before 16 are refused", arguments: [UInt8(1), 14, 15])
    func rejectsOldVersions(version: UInt8) throws {
        var bytes = try Self.sample().bytes
        bytes[23] = version
        bytes[27] = 0
        #expect(throws: FDTError.unsupportedVersion(version: UInt32(version), lastCompatibleVersion: 0)) {
            try FlattenedDeviceTree(bytes: bytes)
        }
    }

    /// The fuzzer's crashing input itself, kept in the fuzz seed corpus.
    @Test func fuzzedVersion14TreeIsRefused() throws {
        let path = ReferenceVector.packageRoot.appendingPathComponent("Fuzz/Seeds/fuzz-fdt/crash-version-14").path
        let bytes = try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) })
        #expect(throws: FDTError.unsupportedVersion(version: 14, lastCompatibleVersion: 0)) {
            try FlattenedDeviceTree(bytes: bytes)
        }
    }

    @Test func rejectsBrokenStructureWithLibfdtMessage() throws {
        var bytes = try Self.sample().bytes
        let structure = Int(try Self.sample().header.structureOffset)
        bytes[structure + 3] = 0x7f // FDT_BEGIN_NODE token becomes garbage
        let error = try #require(throws: FDTError.self) { try FlattenedDeviceTree(bytes: bytes) }
        guard case .libfdt(let operation, let code) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(operation == "fdt_check_full")
        #expect(code < 0)
        #expect(error.description.contains(FDTError.libfdtMessage(code)))
    }

    /// Random byte and header corruption of a real root FDT must be rejected
    /// or read without crashing.
    @Test func corruptedInputNeverCrashes() throws {
        let original = try ReferenceVector.named("k4-cons-s19").bytes("kho.dtb")
        var generator = SplitMix64(seed: 0x6b686f)
        var accepted = 0
        for round in 0 ..< 3000 {
            var bytes = original
            for _ in 0 ... Int(generator.next() % 4) {
                // Bias a third of the corruptions towards the header.
                let limit = round % 3 == 0 ? FDTHeader.size : bytes.count
                bytes[Int(generator.next() % UInt64(limit))] = UInt8(truncatingIfNeeded: generator.next())
            }
            if round % 7 == 0 { bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count)))) }
            guard let tree = try? FlattenedDeviceTree(bytes: bytes) else { continue }
            accepted += 1
            _ = try? KHORootFDT(tree: tree)
            for node in (try? tree.subnodes(of: tree.root)) ?? [] {
                _ = try? tree.properties(of: node)
            }
        }
        #expect(accepted > 0)
    }
}

/// A deterministic pseudo-random generator for reproducible corruption.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
