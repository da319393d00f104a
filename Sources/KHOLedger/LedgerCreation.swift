import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Ledger {
    /// Creates a new ledger file at `path` with its whole schema, or leaves
    /// none: the migrations run on a temporary file beside it
    /// (`<path>.creating-<pid>`), which gets the name `path` only once all of
    /// them are committed and its write-ahead log is checkpointed into it.
    ///
    /// A failure removes the temporary file; a process killed midway leaves
    /// at most that file, never a ledger with part of its schema. When
    /// another process created `path` meanwhile, its ledger is kept and this
    /// one is discarded.
    static func create(_ path: String, configuration: Configuration, migrator: DatabaseMigrator) throws(LedgerError) {
        let temporary = "\(path).creating-\(getpid())"
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
        }
        do {
            let database = try DatabaseQueue(path: temporary, configuration: configuration)
            try migrator.migrate(database)
            try database.close()
        } catch {
            throw .database("\(path): creating the ledger: \(error)")
        }
        // link(2), unlike rename(2), never replaces an existing file.
        guard link(temporary, path) == 0 || errno == EEXIST else {
            throw .unwritable(path: path, reason: "cannot give the new ledger its name: \(String(cString: strerror(errno)))")
        }
        // The new name reaches the disk before anything is recorded under it.
        let directory = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
