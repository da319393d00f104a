import Foundation
import GRDB

/// A ledger file: a SQLite database in WAL mode holding the operation log and
/// everything derived from it.
///
/// Opening for writing creates the file if needed (whole, with every
/// migration applied, or not at all) and migrates an older schema forward;
/// a file written by a newer kholedger is refused. Ledgers carry
/// ``applicationID``; any other file (see ``requireLedger(at:migrator:)``)
/// is refused by both openings before anything could write to it.
public final class Ledger {
    /// The database file.
    public let path: String
    /// The connection; other modules read through ``read(_:)`` and the
    /// query types of `Queries/`, never the tables themselves.
    let database: DatabaseQueue
    /// A writing ledger's lock, held until the ledger is released (nil
    /// when reading): one writer at a time.
    private let writerLock: LedgerWriterLock?
    /// The migrations that opening this ledger for writing applied (none
    /// for a ledger that was up to date, a new one, or a reading one).
    public private(set) var upgradedBy: [String] = []

    /// The database page size of new ledgers: large pages store 4 KiB page
    /// blobs without overflow chains.
    public static let databasePageSize = 65536

    /// The page cache of a connection unless ``setPageCache(bytes:)`` changes it.
    public static let defaultPageCacheBytes = 256 << 20

    /// Bytes of the file a read-only connection maps into memory (SQLite
    /// caps this at its compile-time limit): page reads then copy nothing,
    /// which matters for restores that read a large area's pages in the order
    /// of its chunk list. Writing connections do not map the file, so a long
    /// recording's resident memory stays its page cache.
    public static let mappedBytes: Int64 = 1 << 40

    /// Sets the connection's SQLite page cache. One long transaction (an
    /// import) keeps its memory lower with a smaller cache; SQLite spills
    /// what does not fit to the write-ahead log.
    public func setPageCache(bytes: Int) throws(LedgerError) {
        do {
            try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA cache_size = -\(max(1, bytes >> 10))") }
        } catch {
            throw .database(path: path, DatabaseFailure(error))
        }
    }

    /// Closes the connection, checkpointing the write-ahead log into the
    /// file; the ledger cannot be used afterwards.
    public func closeConnection() throws(LedgerError) {
        do {
            try database.close()
        } catch {
            throw .database(path: path, DatabaseFailure(error))
        }
    }

    /// The default ledger path: `$KHOLEDGER_DB`, else `./kholedger.db`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["KHOLEDGER_DB"], !path.isEmpty { return path }
        return "kholedger.db"
    }

    /// Opens (creating or upgrading) the ledger at `path` for recording; an
    /// older schema is upgraded atomically (``LedgerSchema/upgrade(_:)``).
    ///
    /// The ledger has one writer at a time (see ``LedgerWriterLock``): while
    /// another process records into it, this waits as `wait` says, then
    /// fails with ``LedgerError/busy(path:holder:waited:)``. The lock is
    /// held until this ledger is released.
    public init(path: String, wait: LedgerWriterWait = .default) throws(LedgerError) {
        self.path = path
        let migrator = try LedgerSchema.migrator()
        let existed = FileManager.default.fileExists(atPath: path)
        if existed { try Self.requireLedger(at: path, migrator: migrator) }
        try Self.requireWritable(path)
        writerLock = try LedgerWriterLock(ledger: path, wait: wait)
        // Another writer may have created it while this one waited.
        let exists = FileManager.default.fileExists(atPath: path)
        if exists, !existed { try Self.requireLedger(at: path, migrator: migrator) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(Self.busySeconds))
        configuration.prepareDatabase { db in
            // page_size only takes effect on a new, empty file, before WAL.
            try db.execute(sql: "PRAGMA page_size = \(Ledger.databasePageSize)")
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // A 256 MiB page cache keeps a large batch's b-tree pages in memory.
            try db.execute(sql: "PRAGMA cache_size = -\(Ledger.defaultPageCacheBytes >> 10)")
        }
        if !exists {
            try Self.create(path, configuration: configuration, migrator: migrator)
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.refuseNewer(database, migrator: migrator, path: path)
            if exists { upgradedBy = try LedgerSchema.upgrade(database) }
            try Self.stampApplicationID(database)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.openingError(error, path: path)
        }
    }

    /// Seconds a connection waits for a lock another connection holds.
    static let busySeconds = 10

    /// What a failed opening reports: a lock held past the busy timeout is
    /// ``LedgerError/locked(path:waited:)``, anything else the database error.
    static func openingError(_ error: any Error, path: String) -> LedgerError {
        if let error = error as? DatabaseError, [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) {
            return .locked(path: path, waited: busySeconds)
        }
        return .database(path: path, DatabaseFailure(error))
    }

    /// Opens an existing ledger read-only (queries, reports, audits), also
    /// on read-only media (see ``readOnlyQueue(_:configuration:)``).
    public init(readingAt path: String) throws(LedgerError) {
        self.path = path
        writerLock = nil
        guard FileManager.default.fileExists(atPath: path) else {
            throw .notFound("no ledger at \(path): record one with `kholedger simulate FILE --ledger \(path)`")
        }
        let migrator = try LedgerSchema.migrator()
        try Self.requireLedger(at: path, migrator: migrator)
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(Self.busySeconds))
        // 64 MiB of page cache: an answer touches scattered rows of large tables.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA mmap_size = \(Ledger.mappedBytes)")
        }
        do {
            database = try Self.readOnlyQueue(path, configuration: configuration)
            try Self.refuseNewer(database, migrator: migrator, path: path)
            let applied = try database.read { try migrator.appliedIdentifiers($0) }
            if applied.count < migrator.migrations.count {
                throw LedgerError.olderSchema(path: path, missing: migrator.migrations.filter { !applied.contains($0) })
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.openingError(error, path: path)
        }
    }

    /// Refuses, before SQLite opens it, a ledger this process cannot write:
    /// a read-only file, or a missing directory or one where the file or its
    /// write-ahead log cannot be created.
    private static func requireWritable(_ path: String) throws(LedgerError) {
        let files = FileManager.default
        if files.fileExists(atPath: path), !files.isWritableFile(atPath: path) {
            throw .unwritable(path: path, reason: "the file is read-only")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard files.fileExists(atPath: directory) else {
            throw .unwritable(path: path, reason: "its directory \(directory) does not exist")
        }
        if !files.fileExists(atPath: path + "-wal"), !files.isWritableFile(atPath: directory) {
            throw .unwritable(path: path, reason: "its directory \(directory) is not writable (the write-ahead log goes beside the file)")
        }
    }

    private static func refuseNewer(_ database: DatabaseQueue, migrator: DatabaseMigrator, path: String) throws {
        let unknown: [String] = try database.read { db in
            guard try db.tableExists("grdb_migrations") else { return [] }
            let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
            let known = Set(migrator.migrations)
            return applied.filter { !known.contains($0) }
        }
        if !unknown.isEmpty { throw LedgerError.newerSchema(path: path, unknown: unknown) }
    }
}
