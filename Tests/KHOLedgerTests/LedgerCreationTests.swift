import Foundation
import GRDB
import Testing
@testable import KHOLedger

/// A new ledger appears under its name with every migration applied, and
/// nothing else is left beside it; a ledger that exists with an older
/// schema is migrated in place, as before.
@Suite("Ledger creation")
struct LedgerCreationTests {
    private func applied(_ path: String) throws -> [String] {
        let database = try DatabaseQueue(path: path)
        return try database.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
    }

    @Test func aNewLedgerHasTheWholeSchemaAndNoTemporaryFile() throws {
        let temp = try TemporaryLedger()
        let migrations = try LedgerSchema.migrator().migrations
        #expect(migrations.count > 1)
        let ledger = try Ledger(path: temp.path)
        #expect(try ledger.count("SELECT count(*) FROM grdb_migrations") == migrations.count)
        #expect(try ledger.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try ledger.database.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == Ledger.databasePageSize)
        let files = try FileManager.default.contentsOfDirectory(atPath: temp.directory.path)
        // Beside the ledger: SQLite's files and, while it is open for writing, its writer lock.
        #expect(files.allSatisfy { ["test.db", "test.db-wal", "test.db-shm", "test.db.lock"].contains($0) }, "\(files)")
        _ = try Ledger(readingAt: temp.path)
    }

    /// Symbolic links planted where a new ledger's temporary files used to
    /// be made (`<path>.creating-<pid>`, its `-wal` and `-shm`) are never
    /// followed: the files they point to are not created, and the ledger is.
    @Test func plantedLinksAtTheTemporaryNamesAreNotFollowed() throws {
        let temp = try TemporaryLedger()
        let victims = temp.directory.appendingPathComponent("victims")
        try FileManager.default.createDirectory(at: victims, withIntermediateDirectories: false)
        let planted = "\(temp.path).creating-\(getpid())"
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try FileManager.default.createSymbolicLink(atPath: planted + suffix,
                                                       withDestinationPath: victims.appendingPathComponent("victim\(suffix)").path)
        }
        let ledger = try Ledger(path: temp.path)
        #expect(try ledger.count("SELECT count(*) FROM grdb_migrations") == LedgerSchema.migrator().migrations.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: victims.path) == [])
        let files = try FileManager.default.contentsOfDirectory(atPath: temp.directory.path)
        #expect(files.filter { $0.contains(".creating-") && !$0.hasPrefix("test.db.creating-\(getpid())") } == [], "\(files)")
    }

    @Test func anExistingOlderLedgerIsMigratedInPlace() throws {
        let temp = try TemporaryLedger()
        let migrator = try LedgerSchema.migrator()
        let first = try #require(migrator.migrations.first)
        do {
            let database = try DatabaseQueue(path: temp.path)
            try migrator.migrate(database, upTo: first)
            try database.close()
        }
        #expect(try applied(temp.path) == [first])
        #expect(throws: LedgerError.self) { try Ledger(readingAt: temp.path) }
        _ = try Ledger(path: temp.path)
        #expect(try applied(temp.path) == migrator.migrations)
        _ = try Ledger(readingAt: temp.path)
    }
}
