import KHOABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written front to back that appears under its name only on
/// `commit()`: a failed or abandoned write never leaves a half-written file
/// under the final name.
///
/// What `path` names decides how it is written:
/// - nothing, or a regular file: the bytes go to a new temporary sibling
///   (`<path>.partial-XXXXXX`, created exclusively, so a file or symbolic
///   link planted under any name is never opened), which ``commit()``
///   renames over `path`. Zero runs skipped with ``pad(to:)`` or
///   ``append(_:from:)`` become holes of a sparse file.
/// - `-`: standard output. A character device (such as `/dev/null`) or a
///   FIFO, also through a symbolic link (such as `/dev/stdout`): the bytes
///   are written through, zero runs included, and the device or FIFO is
///   never replaced.
/// - anything else (a directory, a block device, a socket, a symbolic link
///   to a regular file) is refused: the write would replace it or write
///   through a link.
public final class OutputFile {
    /// The final name.
    public let path: String
    /// `<path>.partial-XXXXXX` when the file is replaced on commit; `nil`
    /// when the bytes are written through.
    private let temporaryPath: String?
    private var descriptor: Int32
    /// Bytes written so far.
    public private(set) var position: UInt64 = 0

    /// The name that stands for standard output.
    public static let standardOutputName = "-"

    /// Opens `path` for writing as its kind decides (see ``OutputFile``).
    public init(path: String) throws(ImageError) {
        self.path = path
        if path == Self.standardOutputName {
            temporaryPath = nil
            descriptor = STDOUT_FILENO
            return
        }
        switch try Self.kind(of: path) {
        case .absent, .regular:
            (temporaryPath, descriptor) = try Self.createTemporary(beside: path)
        case .writtenThrough:
            temporaryPath = nil
            descriptor = try Self.openWrittenThrough(path)
        }
    }

    deinit {
        guard descriptor >= 0 else { return }
        if let temporaryPath {
            close(descriptor)
            unlink(temporaryPath)
        } else if descriptor != STDOUT_FILENO {
            close(descriptor)
        }
    }

    /// Appends `bytes`.
    public func append(_ bytes: [UInt8]) throws(ImageError) {
        try check(bytes.withUnsafeBytes(writeAll))
    }

    /// Appends zero bytes until the file is `offset` bytes long: a hole in
    /// a file, written zeros on a device or FIFO.
    public func pad(to offset: UInt64) throws(ImageError) {
        precondition(offset >= position, "padding backwards")
        guard offset > position else { return }
        guard temporaryPath != nil else {
            let zeros = [UInt8](repeating: 0, count: Int(min(Self.pieceSize, offset - position)))
            while position < offset {
                try check(zeros.withUnsafeBytes { writeAll(UnsafeRawBufferPointer(rebasing: $0.prefix(Int(min(UInt64($0.count), offset - position))))) })
            }
            return
        }
        guard offset <= UInt64(Int64.max), lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else {
            throw .cannotWrite(path: path, reason: offset <= UInt64(Int64.max) ? errnoDescription() : "offset \(offset) is too large")
        }
        position = offset
    }

    /// Appends the bytes of physical `range` read from `source`, in pieces
    /// of at most 1 MiB; all-zero pieces are padded (see ``pad(to:)``).
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
            throw .cannotWrite(path: path, reason: String(cString: strerror(failure)))
        }
    }

    /// Finishes the file. A temporary file is sized to ``position`` (so a
    /// trailing hole counts), closed and renamed to `path`, which must still
    /// name a regular file or nothing; written-through output is closed
    /// (standard output is left open).
    public func commit() throws(ImageError) {
        guard let temporaryPath else {
            let closing = descriptor
            descriptor = -1
            guard closing != STDOUT_FILENO else { return }
            if close(closing) != 0 { throw .cannotWrite(path: path, reason: errnoDescription()) }
            return
        }
        var failure = ftruncate(descriptor, off_t(position)) == 0 ? nil : errnoDescription()
        if close(descriptor) != 0, failure == nil { failure = errnoDescription() }
        descriptor = -1
        do throws(ImageError) {
            if let failure { throw .cannotWrite(path: path, reason: failure) }
            guard case .writtenThrough = try Self.kind(of: path, following: false) else {
                guard rename(temporaryPath, path) == 0 else {
                    throw .cannotWrite(path: path, reason: "rename from \(temporaryPath): \(errnoDescription())")
                }
                return
            }
            throw .cannotWrite(path: path, reason: "it became a device or FIFO while being written, so it is not replaced")
        } catch {
            unlink(temporaryPath)
            throw error
        }
    }

    // MARK: what the path names

    /// What a path names, as far as writing it goes.
    private enum Kind {
        /// Nothing: the file is created.
        case absent
        /// A regular file: it is replaced.
        case regular
        /// A character device or FIFO: the bytes are written through.
        case writtenThrough
    }

    /// The kind of `path`, looked at without following a final symbolic
    /// link or (`following`) through one; throws for what is never written.
    private static func kind(of path: String, following: Bool = true) throws(ImageError) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return .absent }
            throw .cannotStat(path: path, reason: errnoDescription())
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFCHR, S_IFIFO: return .writtenThrough
        case S_IFLNK where following:
            guard stat(path, &info) == 0 else { throw .cannotWrite(path: path, reason: "it is a symbolic link to nothing") }
            switch info.st_mode & S_IFMT {
            case S_IFCHR, S_IFIFO: return .writtenThrough
            default: throw .cannotWrite(path: path, reason: "it is a symbolic link to \(describe(info.st_mode)); name the file itself")
            }
        default:
            throw .cannotWrite(path: path, reason: "it is \(describe(info.st_mode)), which is never replaced")
        }
    }

    /// "a directory", "a block device", … for a file mode.
    private static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }

    /// Creates `<path>.partial-XXXXXX` exclusively (never through a planted
    /// file or link), trying new random names while one is taken.
    private static func createTemporary(beside path: String) throws(ImageError) -> (String, Int32) {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 100 {
            let name = path + ".partial-" + String((0 ..< 6).map { _ in letters.randomElement(using: &generator)! })
            let descriptor = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if descriptor >= 0 { return (name, descriptor) }
            if errno != EEXIST { throw .cannotOpen(path: path, reason: errnoDescription()) }
        }
        throw .cannotOpen(path: path, reason: "no free temporary name beside it after 100 tries")
    }

    /// Opens the device or FIFO at `path` for writing; a FIFO waits for its
    /// reader. Refuses what is no longer a device or FIFO once open.
    private static func openWrittenThrough(_ path: String) throws(ImageError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: errnoDescription()) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, [S_IFCHR, S_IFIFO].contains(info.st_mode & S_IFMT) else {
            close(descriptor)
            throw .cannotWrite(path: path, reason: "it changed while being opened, so it is not written")
        }
        return descriptor
    }
}
