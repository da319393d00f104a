import KHOABI
import Testing

@Suite("FDT: KHO root FDT encode, decode and rejection")
struct KHORootFDTTests {
    static func sampleSubtrees(_ generation: ABIGeneration) -> [KHOSubtree] {
        let size: (UInt64) -> UInt64? = { generation.hasBlobSize ? $0 : nil }
        return [
            KHOSubtree(name: "LUO", phys: 0x1_0057_2000, size: size(236)),
            KHOSubtree(name: "kho_test", phys: 0x1_00bf_8000, size: size(240)),
            KHOSubtree(name: "area-0", phys: 0x1_0025_a000, size: size(16)),
        ]
    }

    @Test("every generation round-trips", arguments: ABIGeneration.allCases)
    func generationRoundTrip(generation: ABIGeneration) throws {
        let root = KHORootFDT(generation: generation, preservedMemoryMap: 0x1_0026_5000, subtrees: Self.sampleSubtrees(generation))
        let bytes = try root.encode(pageSize: 4096)
        let decoded = try KHORootFDT(bytes: bytes, bitmapVariant: generation.bitmapVariant ?? .v1b)
        #expect(decoded == root)
        #expect(try decoded.encode(pageSize: 4096) == bytes)

        let tree = try FlattenedDeviceTree(bytes: bytes)
        #expect(try tree.property(named: "compatible", of: tree.root) == Array(generation.compatible.utf8) + [0])
        let first = try tree.node(atPath: "/LUO")
        let expectedProperties = generation.hasBlobSize
            ? ["blob-size", "preserved-data"] // libfdt inserts each new property first
            : [generation.subtreeAddressProperty]
        #expect(try tree.properties(of: first).map(\.name) == expectedProperties)
    }

    @Test func integersAreRawLittleEndian() throws {
        let root = KHORootFDT(generation: .v3, preservedMemoryMap: 0x0102_0304_0506_0708,
                              subtrees: [KHOSubtree(name: "a", phys: 0x1122_3344_5566_7788, size: 0x99)])
        let tree = try FlattenedDeviceTree(bytes: root.encode(pageSize: 4096))
        #expect(try tree.property(named: "preserved-memory-map", of: tree.root) == [8, 7, 6, 5, 4, 3, 2, 1])
        let node = try tree.node(atPath: "/a")
        #expect(try tree.property(named: "preserved-data", of: node) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        #expect(try tree.property(named: "blob-size", of: node) == [0x99, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func layoutBeforeAndAfterFirstPack() throws {
        let fresh = try KHORootFDTPage(generation: .v3, preservedMemoryMap: 0, pageSize: 4096)
        #expect(fresh.tree.header.reservationMapOffset == 0x30)
        #expect(fresh.tree.header.structureOffset == 0x40)
        #expect(try KHORootFDT(generation: .v3, preservedMemoryMap: 0).encode(pageSize: 4096) == fresh.tree.bytes)

        var page = fresh
        try page.addSubtree(KHOSubtree(name: "a", phys: 1, size: 2))
        let header = page.tree.header
        #expect(header.reservationMapOffset == 0x28)
        #expect(header.structureOffset == 0x38)
        #expect(header.version == 17)
        #expect(header.lastCompatibleVersion == 16)
        let strings = page.tree.bytes[Int(header.stringsOffset)...]
        #expect(Array(strings) == Array("preserved-memory-map\0compatible\0preserved-data\0blob-size\0".utf8))
    }

    @Test func subtreesAreNewestFirst() throws {
        var page = try KHORootFDTPage(generation: .v2, preservedMemoryMap: 5, pageSize: 4096)
        for (index, name) in ["first", "second", "third"].enumerated() {
            try page.addSubtree(KHOSubtree(name: name, phys: UInt64(index + 1) << 12))
        }
        #expect(try page.decoded().subtrees.map(\.name) == ["third", "second", "first"])
    }

    @Test func duplicateNameIsEEXISTAndLeavesTheTree() throws {
        var page = try KHORootFDTPage(generation: .v3, preservedMemoryMap: 5, pageSize: 4096)
        try page.addSubtree(KHOSubtree(name: "memblock", phys: 0x1000, size: 8))
        let before = page
        let error = try #require(throws: FDTError.self) {
            try page.addSubtree(KHOSubtree(name: "memblock", phys: 0x2000, size: 8))
        }
        #expect(error == .duplicateSubtree(name: "memblock"))
        #expect(error.kernelReturnCode == -17)
        #expect(page == before)
        // libfdt matching: "memblock" is taken by "memblock@1" too.
        try page.addSubtree(KHOSubtree(name: "other@1", phys: 0x3000, size: 8))
        #expect(throws: FDTError.duplicateSubtree(name: "other")) {
            try page.addSubtree(KHOSubtree(name: "other", phys: 0x4000, size: 8))
        }
    }

    @Test("filling the one-page root fails with -ENOMEM", arguments: [4096, 16384])
    func oversizeRoot(pageSize: Int) throws {
        var page = try KHORootFDTPage(generation: .v3, preservedMemoryMap: 0x1000, pageSize: pageSize)
        var added = 0
        var failure: FDTError?
        while failure == nil {
            let before = page
            do throws(FDTError) {
                try page.addSubtree(KHOSubtree(name: "subtree-\(added)", phys: UInt64(added) << 12, size: 16))
                added += 1
            } catch {
                failure = error
                // The page past totalsize keeps what the attempt wrote, as libfdt leaves it.
                #expect(page.tree == before.tree, "a failed add must leave the packed tree unchanged")
            }
        }
        #expect(failure == .rootPageFull(subtree: "subtree-\(added)", pageSize: pageSize))
        #expect(failure?.kernelReturnCode == -12)
        #expect(page.tree.bytes.count <= pageSize)
        #expect(added > 10)
        #expect(try page.decoded().subtrees.count == added)
        // The same content as values no longer fits either.
        var root = try page.decoded()
        root.subtrees.insert(KHOSubtree(name: "one-more", phys: 0, size: 0), at: 0)
        #expect(throws: FDTError.rootPageFull(subtree: "one-more", pageSize: pageSize)) { try root.encode(pageSize: pageSize) }
    }

    @Test func removeDeletesFirstMatchByPhys() throws {
        var page = try KHORootFDTPage(generation: .v3, preservedMemoryMap: 7, pageSize: 4096)
        try page.addSubtree(KHOSubtree(name: "a", phys: 0x1000, size: 1))
        try page.addSubtree(KHOSubtree(name: "b", phys: 0x2000, size: 2))
        try page.addSubtree(KHOSubtree(name: "c", phys: 0x1000, size: 3))
        let removed = try page.removeSubtree(phys: 0x1000)
        #expect(removed == KHOSubtree(name: "c", phys: 0x1000, size: 3))
        #expect(try page.decoded().subtrees.map(\.name) == ["b", "a"])
        // Removal of the newest equals never having added it.
        var expected = try KHORootFDTPage(generation: .v3, preservedMemoryMap: 7, pageSize: 4096)
        try expected.addSubtree(KHOSubtree(name: "a", phys: 0x1000, size: 1))
        try expected.addSubtree(KHOSubtree(name: "b", phys: 0x2000, size: 2))
        #expect(page.tree == expected.tree)

        let before = page
        #expect(try page.removeSubtree(phys: 0x9000) == nil)
        #expect(page == before)
    }

    @Test func removeWithoutMatchStillPacksAFreshPage() throws {
        var page = try KHORootFDTPage(generation: .v1b, preservedMemoryMap: 7, pageSize: 4096)
        #expect(try page.removeSubtree(phys: 0x1000) == nil)
        #expect(page.tree.header.structureOffset == 0x38)
        #expect(try page.decoded() == KHORootFDT(generation: .v1b, preservedMemoryMap: 7))
    }

    @Test func blobSizeMustMatchTheGeneration() throws {
        #expect(throws: FDTError.missingBlobSize(subtree: "x", generation: .v4)) {
            try KHORootFDT(generation: .v4, preservedMemoryMap: 0, subtrees: [KHOSubtree(name: "x", phys: 1)]).encode(pageSize: 4096)
        }
        #expect(throws: FDTError.unexpectedBlobSize(subtree: "x", generation: .v1a)) {
            try KHORootFDT(generation: .v1a, preservedMemoryMap: 0, subtrees: [KHOSubtree(name: "x", phys: 1, size: 2)]).encode(pageSize: 4096)
        }
    }

    // MARK: rejection of malformed roots

    /// Builds a root with arbitrary properties and subnodes.
    static func root(compatible: String = "kho-v3", map: [UInt8]? = [UInt8](repeating: 0, count: 8),
                     subnodes: [(String, [(String, [UInt8])])] = []) throws -> [UInt8] {
        try FDTSequentialWriter.build { writer throws(FDTError) in
            try writer.beginNode("")
            try writer.property("compatible", string: compatible)
            if let map { try writer.property("preserved-memory-map", map) }
            for (name, properties) in subnodes {
                try writer.beginNode(name)
                for (property, value) in properties { try writer.property(property, value) }
                try writer.endNode()
            }
            try writer.endNode()
        }.bytes
    }

    @Test func wellFormedHandBuiltRootDecodes() throws {
        let bytes = try Self.root(subnodes: [("s", [("preserved-data", [1, 0, 0, 0, 0, 0, 0, 0]), ("blob-size", [2, 0, 0, 0, 0, 0, 0, 0])])])
        #expect(try KHORootFDT(bytes: bytes).subtrees == [KHOSubtree(name: "s", phys: 1, size: 2)])
    }

    @Test func rejectsUnknownCompatible() throws {
        let bytes = try Self.root(compatible: "kho-v9")
        let error = try #require(throws: FDTError.self) { try KHORootFDT(bytes: bytes) }
        guard case .unknownKHOCompatible(let detection) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(detection.compatible == "kho-v9")
    }

    @Test func rejectsFourByteMemoryMap() throws {
        let bytes = try Self.root(map: [1, 2, 3, 4])
        #expect(throws: FDTError.wrongPropertyLength(node: "/", property: "preserved-memory-map", expected: 8, actual: 4)) {
            try KHORootFDT(bytes: bytes)
        }
    }

    @Test func rejectsMissingMemoryMap() throws {
        #expect(throws: FDTError.missingProperty(node: "/", property: "preserved-memory-map")) {
            try KHORootFDT(bytes: Self.root(map: nil))
        }
    }

    @Test func rejectsSubtreeWithoutPreservedData() throws {
        let bytes = try Self.root(subnodes: [("area-0", [("blob-size", [16, 0, 0, 0, 0, 0, 0, 0])])])
        #expect(throws: FDTError.missingProperty(node: "/area-0", property: "preserved-data")) { try KHORootFDT(bytes: bytes) }
    }

    @Test func rejectsV3SubtreeWithoutBlobSize() throws {
        let bytes = try Self.root(subnodes: [("area-0", [("preserved-data", [0, 0x10, 0, 0, 1, 0, 0, 0])])])
        #expect(throws: FDTError.missingProperty(node: "/area-0", property: "blob-size")) { try KHORootFDT(bytes: bytes) }
    }

    @Test func rejectsShortAddressProperty() throws {
        let bytes = try Self.root(compatible: "kho-v1", subnodes: [("kho_test", [("fdt", [0, 0x10, 0, 0])])])
        #expect(throws: FDTError.wrongPropertyLength(node: "/kho_test", property: "fdt", expected: 8, actual: 4)) {
            try KHORootFDT(bytes: bytes)
        }
    }

    @Test func v1RootUsesFdtProperty() throws {
        let bytes = try Self.root(compatible: "kho-v1", subnodes: [("kho_test", [("preserved-data", [0, 0x10, 0, 0, 1, 0, 0, 0])])])
        #expect(throws: FDTError.missingProperty(node: "/kho_test", property: "fdt")) { try KHORootFDT(bytes: bytes) }
        #expect(try KHORootFDT(bytes: Self.root(compatible: "kho-v1"), bitmapVariant: .v1a).generation == .v1a)
        #expect(try KHORootFDT(bytes: Self.root(compatible: "kho-v1")).generation == .v1b)
    }
}
