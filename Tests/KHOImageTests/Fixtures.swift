import KHOTestSupport
import Foundation
import KHOImage

/// A fresh directory under the system temporary directory, removed on deinit.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("KHOImageTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Path of `name` inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `bytes` to `name` and returns its path.
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads the file `path`.
    func contents(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// A deterministic, position-dependent byte pattern, so that misplaced bytes show.
func pattern(count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8 &+ Int(seed)) }
}

/// The small valid core the malformed-file tests mutate: three segments,
/// the first two physically contiguous, written by `ElfCoreWriter` with 4 KiB
/// alignment (data at file offsets 0x1000, 0x2000, 0x3000; file 0x4000 bytes).
enum SmallCore {
    static let segments: [(paddr: UInt64, bytes: [UInt8])] = [
        (0x1000, pattern(count: 0x1000, seed: 1)),
        (0x2000, pattern(count: 0x800, seed: 2)),
        (0x10000, pattern(count: 0x1000, seed: 3)),
    ]
    static let fileSize = 0x4000

    /// Offset of field `field` in program header `index` (table at 64).
    static func programHeader(_ index: Int, field: Int) -> Int { 64 + index * 56 + field }

    static let pType = 0, pOffset = 8, pPaddr = 24, pFilesz = 32, pMemsz = 40

    /// The file's bytes.
    static func bytes(in directory: TemporaryDirectory) throws -> [UInt8] {
        let path = directory.path("small.elf")
        try ElfCoreWriter().write(segments: segments, toPath: path)
        return try directory.contents(path)
    }
}

/// One `LOAD` line of `readelf -lW`.
struct ReadelfLoad: Equatable {
    let offset: UInt64
    let paddr: UInt64
    let fileSize: UInt64
    let memorySize: UInt64
    let flags: String
    let align: UInt64
}

/// Runs `readelf` (binutils) with `arguments` and returns its standard output.
func readelf(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["readelf"] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = Pipe()
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw FixtureError("readelf \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// The PT_LOAD rows `readelf -lW` prints for the file at `path`.
func readelfLoads(_ path: String) throws -> [ReadelfLoad] {
    try readelf(["-lW", path]).split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ")
        guard fields.first == "LOAD" else { return nil }
        // LOAD Offset VirtAddr PhysAddr FileSiz MemSiz Flg… Align
        func number(_ text: Substring) throws -> UInt64 {
            guard text.hasPrefix("0x"), let value = UInt64(text.dropFirst(2), radix: 16) else {
                throw FixtureError("readelf printed \(text) in: \(line)")
            }
            return value
        }
        return ReadelfLoad(offset: try number(fields[1]), paddr: try number(fields[3]),
                           fileSize: try number(fields[4]), memorySize: try number(fields[5]),
                           flags: fields[6..<(fields.count - 1)].joined(separator: " "),
                           align: try number(fields[fields.count - 1]))
    }
}
