import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Ledger {
    /// A read-only connection to the database at `path`, also on read-only
    /// media: a read-only file system, or a directory this process cannot
    /// create files in.
    ///
    /// Reading a ledger (a database in WAL mode) normally needs its
    /// shared-memory index, `PATH-shm`, which SQLite creates beside it; where
    /// it cannot, and the index does not exist, SQLite fails ("unable to
    /// open database file", "attempt to write a readonly database"). Then,
    /// when there is no write-ahead log `PATH-wal` either, the file alone is
    /// the whole ledger and nothing can be writing it (a writer would have
    /// created the log), so it is opened as immutable (SQLite's
    /// `immutable=1`: no locks, no index). When a log is there, its changes
    /// are not in the file and cannot be read without the index: the error
    /// says so and what to do.
    static func readOnlyQueue(_ path: String, configuration: Configuration) throws -> DatabaseQueue {
        var configuration = configuration
        configuration.readonly = true
        let files = FileManager.default
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let writable = access(directory, W_OK) == 0
        let why = String(cString: strerror(errno))
        if writable || files.fileExists(atPath: path + "-shm") {
            return try DatabaseQueue(path: path, configuration: configuration)
        }
        if files.fileExists(atPath: path + "-wal") {
            throw LedgerError.unreadable(path: path, reason: """
                its write-ahead log \(path)-wal may hold changes that are not in the file yet, and reading it needs the \
                shared-memory index \(path)-shm, which cannot be created in \(directory) (\(why)); \
                open the ledger once where it is writable, or copy \(path) and \(path)-wal to a writable directory
                """)
        }
        return try DatabaseQueue(path: immutableURI(path), configuration: configuration)
    }

    /// `file:` URI of `path` that opens it as immutable.
    private static func immutableURI(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return "file:\(absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute)?immutable=1"
    }
}
