import Foundation
import GRDB

extension Ledger {
    /// The `PRAGMA application_id` of every ledger: ASCII `KHOL`, the
    /// big-endian 32-bit number at byte 68 of the SQLite file header.
    public static let applicationID: Int32 = 0x4B48_4F4C

    /// Refuses, before anything opens it for writing, an existing file at
    /// `path` that is not a kholedger ledger: a directory or other
    /// non-regular file, an empty file, a file that is not a SQLite
    /// database, a SQLite database of another application (another
    /// `application_id`), or one without kholedger's tables. Ledgers made
    /// before the `application_id` was set are recognised by their schema:
    /// the `op` table, and GRDB's `grdb_migrations` holding kholedger's
    /// migrations.
    ///
    /// Reads only: the file is never written, whatever it holds.
    static func requireLedger(at path: String, migrator: DatabaseMigrator) throws(LedgerError) {
        func refuse(_ reason: String) -> LedgerError { .notALedger(path: path, reason: reason) }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw refuse("it is a directory")
        default: throw refuse("it is not a regular file")
        }
        guard status.st_size > 0 else { throw refuse("it is an empty file (remove it to record a new ledger there)") }
        let header = try Self.header(path)
        guard header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)) else {
            throw refuse("it is not a SQLite database")
        }
        let stamped = header[68 ..< 72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        if stamped == UInt32(bitPattern: applicationID) { return }
        guard stamped == 0 else {
            throw refuse("it is a SQLite database of another application (application_id 0x\(String(stamped, radix: 16)))")
        }
        guard try hasLedgerSchema(path, migrator: migrator) else {
            throw refuse("it is a SQLite database without kholedger's tables")
        }
    }

    /// The first 100 bytes of the file (the SQLite header; fewer for a
    /// shorter file); a file that cannot be opened or read is
    /// ``LedgerError/unreadable(path:reason:)`` with the system's reason.
    private static func header(_ path: String) throws(LedgerError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 100)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
            if count == 0 { break }
            filled += count
        }
        return Array(bytes.prefix(filled))
    }

    /// Whether the database at `path` has the `op` table and GRDB's record
    /// of at least one kholedger migration, read on a read-only connection.
    private static func hasLedgerSchema(_ path: String, migrator: DatabaseMigrator) throws(LedgerError) -> Bool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(busySeconds))
        do {
            let database = try readOnlyQueue(path, configuration: configuration)
            defer { try? database.close() }
            return try database.read { db in
                guard try db.tableExists("op"), try db.tableExists("grdb_migrations") else { return false }
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                return migrator.migrations.contains { applied.contains($0) }
            }
        } catch let error as LedgerError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw .notALedger(path: path, reason: "it is not a readable SQLite database (\(error.message ?? "\(error.resultCode)"))")
        } catch {
            throw openingError(error, path: path)
        }
    }

    /// Writes ``applicationID`` into a ledger that does not carry it yet (a
    /// new one, or one made before it was set).
    static func stampApplicationID(_ database: DatabaseQueue) throws {
        try database.writeWithoutTransaction { db in
            if try Int32.fetchOne(db, sql: "PRAGMA application_id") != Ledger.applicationID {
                try db.execute(sql: "PRAGMA application_id = \(Ledger.applicationID)")
            }
        }
    }
}
