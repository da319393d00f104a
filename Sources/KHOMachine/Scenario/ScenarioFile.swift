import Foundation
import KHOABI

/// Reads a scenario file's text, refusing with one line what is not a
/// readable regular file of UTF-8 text: a directory, FIFO or device (never
/// opened, so a FIFO cannot hang the read), a missing or unreadable file
/// (the system's reason), a binary such as an ELF file, a NUL byte or
/// invalid UTF-8 (its line and byte offset).
enum ScenarioFile {
    static func text(at path: String) throws(ScenarioError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .unreadable(path: path, reason: "it is a directory, not a YAML file")
        default: throw .unreadable(path: path, reason: "it is not a regular file (a FIFO, socket or device)")
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code
            throw .unreadable(path: path, reason: code.map { String(cString: strerror(Int32($0))) } ?? "the file cannot be read")
        }
        if bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) {
            throw .unreadable(path: path, reason: "it is an ELF file, not a YAML scenario (an ELF core is read by import --image)")
        }
        if let offset = bytes.firstIndex(of: 0) {
            throw .unreadable(path: path, reason: "\(place(offset, in: bytes)) is a NUL byte: a scenario is YAML text")
        }
        if let offset = firstInvalidUTF8(bytes) {
            throw .unreadable(path: path, reason: "\(place(offset, in: bytes)) (\(hex(bytes[offset]))) is not UTF-8: a scenario is UTF-8 text")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// "line L, byte offset O" of byte `offset`.
    private static func place(_ offset: Int, in bytes: [UInt8]) -> String {
        "line \(bytes[..<offset].count { $0 == 0x0a } + 1), byte offset \(offset)"
    }

}
