import Foundation
import Testing
import KHOImage

@Suite struct MappedFileTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    @Test func mapsContentAndSize() throws {
        let content = pattern(count: 10_000, seed: 9)
        let file = try MappedFile(path: directory.write(content, to: "data"))
        #expect(file.size == 10_000)
        #expect(try file.bytes(at: 0, count: 10_000) == content)
        #expect(try file.bytes(at: 9_990, count: 10) == Array(content[9_990...]))
        #expect(try file.bytes(at: 10_000, count: 0) == [])
    }

    @Test func rejectsRangesOutsideTheFile() throws {
        let path = try directory.write([1, 2, 3, 4], to: "small")
        let file = try MappedFile(path: path)
        #expect(throws: ImageError.fileRangeOutOfBounds(path: path, offset: 2, count: 3, fileSize: 4)) {
            try file.bytes(at: 2, count: 3)
        }
        #expect(throws: ImageError.fileRangeOutOfBounds(path: path, offset: -1, count: 1, fileSize: 4)) {
            try file.bytes(at: -1, count: 1)
        }
        #expect(throws: ImageError.fileRangeOutOfBounds(path: path, offset: 1, count: Int.max, fileSize: 4)) {
            try file.bytes(at: 1, count: Int.max)
        }
    }

    @Test func emptyFile() throws {
        let path = try directory.write([], to: "empty")
        let file = try MappedFile(path: path)
        #expect(file.size == 0)
        #expect(try file.bytes(at: 0, count: 0) == [])
        #expect(throws: ImageError.fileRangeOutOfBounds(path: path, offset: 0, count: 1, fileSize: 0)) {
            try file.bytes(at: 0, count: 1)
        }
    }

    @Test func missingFileNamesPathAndReason() {
        let path = directory.path("absent")
        #expect(throws: ImageError.cannotOpen(path: path, reason: "No such file or directory")) {
            try MappedFile(path: path)
        }
    }

    @Test func directoryIsNotARegularFile() {
        #expect(throws: ImageError.notRegularFile(path: directory.url.path)) {
            try MappedFile(path: directory.url.path)
        }
    }
}
