import KHOImage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file each fuzz input is written to, for readers that map files
/// rather than take buffers: one per process in `$TMPDIR` (or `/tmp`),
/// removed when the process exits.
public enum InputFile {
    /// The file's path.
    public static let path: String = {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        atexit { unlink(InputFile.path) }
        return "\(directory)/kholedger-fuzz-\(getpid()).input"
    }()

    /// Replaces the file with `bytes` (through a rename, so a mapping of
    /// the previous input stays valid).
    public static func write(_ bytes: [UInt8]) {
        do {
            let file = try OutputFile(path: path)
            try file.append(bytes)
            try file.commit()
        } catch {
            fatalError("cannot write the fuzz input to \(path): \(error)")
        }
    }
}
