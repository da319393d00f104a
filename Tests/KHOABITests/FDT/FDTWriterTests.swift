import KHOTestSupport
import KHOABI
import Testing

@Suite("FDT: sequential writer and editor")
struct FDTWriterTests {
    @Test func finishedBytesDoNotDependOnBufferSize() throws {
        func build(_ capacity: Int) throws -> [UInt8] {
            var writer = try FDTSequentialWriter(capacity: capacity)
            try writer.finishReservationMap()
            try writer.beginNode("")
            try writer.property("compatible", string: "x")
            try writer.property("second", [1, 2])
            try writer.endNode()
            return try writer.finish().bytes
        }
        #expect(try build(512) == build(65536))
        let tree = try FlattenedDeviceTree(bytes: build(512))
        // Sequential write stores strings in reverse order of first use.
        #expect(Array(tree.bytes[Int(tree.header.stringsOffset)...]) == Array("second\0compatible\0".utf8))
    }

    @Test func tooSmallBufferIsNoSpace() throws {
        var writer = try FDTSequentialWriter(capacity: 96)
        try writer.finishReservationMap()
        try writer.beginNode("")
        let error = try #require(throws: FDTError.self) { try writer.property("big", [UInt8](repeating: 1, count: 200)) }
        #expect(error.description.contains("FDT_ERR_NOSPACE"))
    }

    @Test func buildGrowsTheBuffer() throws {
        let big = [UInt8](repeating: 7, count: 10000)
        let tree = try FDTSequentialWriter.build(initialCapacity: 256) { writer throws(FDTError) in
            try writer.beginNode("")
            try writer.property("big", big)
            try writer.endNode()
        }
        #expect(try tree.property(named: "big", of: tree.root) == big)
    }

    @Test func invalidCapacities() {
        #expect(throws: FDTError.invalidCapacity(0)) { try FDTSequentialWriter(capacity: 0) }
        #expect(throws: FDTError.invalidCapacity(-1)) { try KHORootFDTPage(generation: .v3, preservedMemoryMap: 0, pageSize: -1) }
    }

    @Test func editorInsertsNewPropertiesAndSubnodesFirst() throws {
        let base = try FDTSequentialWriter.build { writer throws(FDTError) in
            try writer.beginNode("")
            try writer.property("p", [1])
            try writer.beginNode("old")
            try writer.endNode()
            try writer.endNode()
        }
        var editor = try FDTEditor(opening: base, capacity: 4096)
        let node = try editor.addSubnode(named: "new", to: .root)
        try editor.setProperty("x", to: [1], of: node)
        try editor.setProperty("y", to: [2], of: node)
        try editor.setProperty("q", to: [3], of: .root)
        try editor.pack()
        let tree = try editor.tree()
        #expect(try tree.subnodes(of: tree.root).map(\.name) == ["new", "old"])
        #expect(try tree.properties(of: tree.node(atPath: "/new")).map(\.name) == ["y", "x"])
        #expect(try tree.properties(of: tree.root).map(\.name) == ["q", "p"])

        var inPlace = try FDTEditor(opening: tree, capacity: 4096)
        try inPlace.setPropertyInPlace("q", to: [9], of: .root)
        #expect(throws: FDTError.self) { try inPlace.setPropertyInPlace("q", to: [9, 9], of: .root) }
        try inPlace.deleteNode(try inPlace.tree().node(atPath: "/old"))
        try inPlace.pack()
        let edited = try inPlace.tree()
        #expect(try edited.property(named: "q", of: edited.root) == [9])
        #expect(try edited.subnodes(of: edited.root).map(\.name) == ["new"])
    }

    @Test func openingIntoTooSmallBufferFails() throws {
        let tree = try FlattenedDeviceTree(bytes: ReferenceVector.named("k4-s7").bytes("kho.dtb"))
        let error = try #require(throws: FDTError.self) { try FDTEditor(opening: tree, capacity: 128) }
        guard case .libfdt("fdt_open_into", _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
    }
}
