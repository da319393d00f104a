import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a stream one line at a time through a fixed-size buffer, so input
/// of any length is never held whole; only the current line is. Each
/// `read(2)` takes what is there, so lines from a pipe arrive as written.
final class LineReader {
    /// One line without its terminator.
    struct Line {
        /// 1-based line number.
        let number: Int
        let bytes: [UInt8]
        /// False for a last line the stream ends without a newline.
        let terminated: Bool
    }

    /// Lines longer than this are refused (a stream that is not line-oriented).
    static let maxLineBytes = 256 << 20

    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    private var atEnd = false
    private var number = 0
    /// Where each `read(2)` lands: allocated, not zero-filled (only the bytes
    /// a read returns are used), so a short stream costs no 1 MiB of page faults.
    private let block: UnsafeMutableRawBufferPointer
    /// Runs before each read of more input (when every line read so far has
    /// been handed out): a recorder commits there, so nothing it has read is
    /// lost if the process is stopped while it waits.
    var beforeRead: () throws(EventStreamError) -> Void = {}

    /// Reads `path`, or standard input for `-`.
    init(path: String) throws(EventStreamError) {
        self.path = path
        if path == "-" {
            handle = .standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .unreadable(path: path, reason: "no such file")
            }
            guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "it is a directory") }
            guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable(path: path, reason: "it cannot be opened for reading") }
            self.handle = handle
        }
        // Last, so that deinit (which frees it) runs whenever it exists.
        block = .allocate(byteCount: 1 << 20, alignment: 1)
    }

    deinit { block.deallocate() }

    /// The next line, or nil at the end of the stream.
    func next() throws(EventStreamError) -> Line? {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0a) {
                var end = newline
                if end > start, buffer[end - 1] == 0x0d { end -= 1 }
                let line = Array(buffer[start ..< end])
                start = newline + 1
                scanned = start
                number += 1
                return Line(number: number, bytes: line, terminated: true)
            }
            scanned = buffer.count
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                number += 1
                return Line(number: number, bytes: line, terminated: false)
            }
            guard buffer.count - start <= Self.maxLineBytes else {
                throw .badLine(line: number + 1, reason: "longer than \(Self.maxLineBytes >> 20) MiB without a newline (not a JSON Lines stream?)")
            }
            try fill()
        }
    }

    /// Drops consumed bytes and reads the next block.
    private func fill() throws(EventStreamError) {
        if start > 0 {
            buffer.removeSubrange(0 ..< start)
            scanned -= start
            start = 0
        }
        try beforeRead()
        let descriptor = handle.fileDescriptor
        var count: Int
        repeat {
            count = read(descriptor, block.baseAddress, block.count)
        } while count < 0 && errno == EINTR
        guard count >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard count > 0 else {
            atEnd = true
            return
        }
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: block[0 ..< count]))
    }
}
