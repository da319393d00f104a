import KHOABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written front to back through a temporary sibling (`<path>.partial`)
/// that replaces `path` only on `commit()`: a failed or abandoned write never
/// leaves a half-written file under the final name.
///
/// Zero runs skipped with ``pad(to:)`` or ``append(_:from:)`` become holes
/// of a sparse file: they read as zeros but occupy no disk space.
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

    /// Appends zero bytes until the file is `offset` bytes long, as a hole.
    public func pad(to offset: UInt64) throws(ImageError) {
        precondition(offset >= position, "padding backwards")
        guard offset > position else { return }
        guard offset <= UInt64(Int64.max), lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else {
            throw .cannotWrite(path: temporaryPath, reason: offset <= UInt64(Int64.max) ? errnoDescription() : "offset \(offset) is too large")
        }
        position = offset
    }

    /// Appends the bytes of physical `range` read from `source`, in pieces
    /// of at most 1 MiB; all-zero pieces become holes.
    public func append(_ range: Range<UInt64>, from source: some PhysicalMemoryImage) throws(ImageError) {
        var address = range.lowerBound
        while address < range.upperBound {
            let count = Int(min(Self.pieceSize, range.upperBound - address))
            let piece = try source.read(phys: address, count: count)
            if piece.isAllZero {
                try pad(to: position + UInt64(count))
            } else {
                try append(piece)
            }
            address += UInt64(count)
        }
    }

    /// Bytes read from a source per piece by ``append(_:from:)``.
    private static let pieceSize: UInt64 = 1 << 20

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

    /// Closes the file (sized to ``position``, so a trailing hole counts)
    /// and renames it to `path`.
    public func commit() throws(ImageError) {
        var failure = ftruncate(descriptor, off_t(position)) == 0 ? nil : errnoDescription()
        if close(descriptor) != 0, failure == nil { failure = errnoDescription() }
        descriptor = -1
        if let failure {
            unlink(temporaryPath)
            throw .cannotWrite(path: temporaryPath, reason: failure)
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = errnoDescription()
            unlink(temporaryPath)
            throw .cannotWrite(path: path, reason: "rename from \(temporaryPath): \(reason)")
        }
    }
}
