#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file mapped read-only into memory, so that multi-gigabyte images are
/// paged in on demand instead of being read whole.
///
/// The mapping is private and never written; an instance is immutable and
/// safe to share between threads. As with any mapping, truncating the file
/// while it is mapped makes later accesses to the lost pages fault (SIGBUS).
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened from.
    public let path: String
    /// The file's size in bytes.
    public let size: Int
    /// Start of the mapping; `nil` for an empty file (`mmap` cannot map 0 bytes).
    private let base: UnsafeRawPointer?

    /// Opens and maps the regular file at `path`. Anything else (a FIFO,
    /// a device, a directory) is refused before it is opened, so a FIFO
    /// without a writer never blocks.
    public init(path: String) throws(ImageError) {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else { throw .cannotOpen(path: path, reason: errnoDescription()) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path) }
        // O_NONBLOCK: should the path become a FIFO meanwhile, opening it does not wait.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: errnoDescription()) }
        defer { close(fd) }

        guard fstat(fd, &info) == 0 else { throw .cannotStat(path: path, reason: errnoDescription()) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path) }
        size = Int(info.st_size)
        guard size > 0 else {
            base = nil
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
              address != UnsafeMutableRawPointer(bitPattern: -1)
        else { throw .cannotMap(path: path, reason: errnoDescription()) }
        base = UnsafeRawPointer(address)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }

    /// Copies `count` bytes starting at file offset `offset`.
    ///
    /// Throws `.fileRangeOutOfBounds` unless the whole range lies in the file.
    public func bytes(at offset: Int, count: Int) throws(ImageError) -> [UInt8] {
        guard contains(offset: offset, count: count) else {
            throw .fileRangeOutOfBounds(path: path, offset: offset, count: count, fileSize: size)
        }
        guard let base, count > 0 else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: base + offset, count: count))
    }

    /// Drops the mapping's pages from this process (`MADV_DONTNEED`); the
    /// mapping is private and never written, so later reads fault the same
    /// bytes back in from the file.
    public func releaseResidentPages() {
        guard let base else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), size, MADV_DONTNEED)
    }

    /// True when `count` bytes at `offset` lie inside the file.
    func contains(offset: Int, count: Int) -> Bool {
        guard offset >= 0, count >= 0 else { return false }
        let (end, overflow) = offset.addingReportingOverflow(count)
        return !overflow && end <= size
    }

    /// Reads a little-endian integer at `offset`; the caller has checked the bounds.
    func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        precondition(contains(offset: offset, count: MemoryLayout<T>.size), "unchecked read outside \(path)")
        return T(littleEndian: base!.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Copies `count` bytes at `offset` to `destination`; the caller has checked the bounds.
    func copy(offset: Int, count: Int, to destination: UnsafeMutableRawPointer) {
        precondition(contains(offset: offset, count: count), "unchecked copy outside \(path)")
        guard let base, count > 0 else { return }
        destination.copyMemory(from: base + offset, byteCount: count)
    }
}

/// The `strerror` text of the current `errno`.
func errnoDescription() -> String {
    String(cString: strerror(errno))
}
