import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Ledger {
    /// Creates a new ledger file at `path` with its whole schema, or leaves
    /// none: the migrations run on a temporary file in a new private
    /// directory beside it (`<path>.creating-XXXXXX/`, mode 0700, created
    /// exclusively, so that no file or symbolic link planted under a
    /// predictable name is ever opened, SQLite's `-wal` and `-shm`
    /// included), and the file gets the name `path` only once all of them
    /// are committed and its write-ahead log is checkpointed into it.
    ///
    /// A failure removes the temporary directory; a process killed midway
    /// leaves at most that directory, never a ledger with part of its
    /// schema. When another process created `path` meanwhile, its ledger is
    /// kept and this one is discarded.
    static func create(_ path: String, configuration: Configuration, migrator: DatabaseMigrator) throws(LedgerError) {
        var template = Array("\(path).creating-XXXXXX".utf8CString)
        guard let directory = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!).map { String(cString: $0) } }) else {
            throw .unwritable(path: path, reason: "cannot create a temporary directory beside it: \(String(cString: strerror(errno)))")
        }
        let temporary = "\(directory)/\(URL(fileURLWithPath: path).lastPathComponent)"
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
            rmdir(directory)
        }
        do {
            let database = try DatabaseQueue(path: temporary, configuration: configuration)
            _ = try LedgerSchema.upgrade(database)
            try database.close()
        } catch {
            throw .writing(path, error, while: "creating the ledger")
        }
        // link(2), unlike rename(2), never replaces an existing file.
        guard link(temporary, path) == 0 || errno == EEXIST else {
            throw .unwritable(path: path, reason: "cannot give the new ledger its name: \(String(cString: strerror(errno)))")
        }
        // The new name reaches the disk before anything is recorded under it.
        let parent = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if parent >= 0 {
            fsync(parent)
            close(parent)
        }
    }
}
