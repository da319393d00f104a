#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written front to back through a temporary sibling (`<path>.partial`)
/// that replaces `path` only on `commit()`: a failed or abandoned write never
/// leaves a half-written file under the final name.
public final class OutputFile {
    /// The final name.
    public let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    /// Bytes written so far.
    public private(set) var position: UInt64 = 0

    /// Creates (or truncates) `<path>.partial` for writing.
    public init(path: String) throws(ImageError) {
        self.path = path
        temporaryPath = path + ".partial"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotOpen(path: temporaryPath, reason: errnoDescription()) }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends `bytes`.
    public func append(_ bytes: [UInt8]) throws(ImageError) {
        try check(bytes.withUnsafeBytes(writeAll))
    }

    /// Appends zero bytes until the file is `offset` bytes long.
    public func pad(to offset: UInt64) throws(ImageError) {
        precondition(offset >= position, "padding backwards")
        while position < offset {
            let count = Int(min(offset - position, UInt64(Self.zeros.count)))
            try check(Self.zeros.withUnsafeBytes { writeAll(UnsafeRawBufferPointer(rebasing: $0[..<count])) })
        }
    }

    /// Writes all of `bytes`, retrying short and interrupted writes; returns
    /// the `errno` of a failure, `nil` on success.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        var done = 0
        while done < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += written
        }
        position += UInt64(bytes.count)
        return nil
    }

    /// Throws `.cannotWrite` for the `errno` value `failure`, if any.
    private func check(_ failure: Int32?) throws(ImageError) {
        if let failure {
            throw .cannotWrite(path: temporaryPath, reason: String(cString: strerror(failure)))
        }
    }

    /// Closes the file and renames it to `path`.
    public func commit() throws(ImageError) {
        let result = close(descriptor)
        descriptor = -1
        guard result == 0 else {
            let reason = errnoDescription()
            unlink(temporaryPath)
            throw .cannotWrite(path: temporaryPath, reason: reason)
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = errnoDescription()
            unlink(temporaryPath)
            throw .cannotWrite(path: path, reason: "rename from \(temporaryPath): \(reason)")
        }
    }

    private static let zeros = [UInt8](repeating: 0, count: 64 * 1024)
}
