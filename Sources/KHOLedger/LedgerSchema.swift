import Foundation
import GRDB

/// The ledger schema: the numbered, forward-only `.sql` files of
/// `Migrations/`, applied in order by GRDB's `DatabaseMigrator`.
public enum LedgerSchema {
    /// The migration files shipped with this build, sorted by number.
    public static func migrationFiles() throws(LedgerError) -> [URL] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw .missingMigrations("the Migrations resource is not in the bundle")
        }
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        } catch {
            throw .missingMigrations("\(directory.path): \(error.localizedDescription)")
        }
        let sql = files.filter { $0.pathExtension == "sql" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !sql.isEmpty else { throw .missingMigrations("no .sql files in \(directory.path)") }
        return sql
    }

    /// One migration: its identifier (the file name without extension) and its SQL.
    public struct Migration: Sendable {
        public var identifier: String
        public var sql: String
    }

    /// The migrations shipped with this build, in order.
    public static func migrations() throws(LedgerError) -> [Migration] {
        var migrations: [Migration] = []
        for file in try migrationFiles() {
            do {
                migrations.append(Migration(identifier: file.deletingPathExtension().lastPathComponent,
                                            sql: try String(contentsOf: file, encoding: .utf8)))
            } catch {
                throw .missingMigrations("\(file.path): \(error.localizedDescription)")
            }
        }
        return migrations
    }

    /// A migrator registering one migration per file, identified by its file
    /// name without extension: the record of what a ledger has applied
    /// (GRDB's `grdb_migrations`). ``upgrade(_:)`` applies them.
    public static func migrator() throws(LedgerError) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in try migrations() {
            migrator.registerMigration(migration.identifier) { db in try db.execute(sql: migration.sql) }
        }
        return migrator
    }

    /// Brings `database` to this build's schema: every migration it lacks,
    /// in order, in ONE transaction whose foreign keys are checked before it
    /// commits. Whatever happens — an error, a kill, a power cut — the
    /// ledger is at its old schema or at the new one, never between.
    /// Returns the identifiers applied (none when it was up to date).
    static func upgrade(_ database: DatabaseQueue) throws -> [String] {
        let all = try migrations()
        return try database.writeWithoutTransaction { db in
            // Foreign keys are switched off around the transaction (a migration
            // may rebuild a table) and checked as a whole before it commits.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            var applied: [String] = []
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                let done = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                for migration in all where !done.contains(migration.identifier) {
                    try db.execute(sql: migration.sql)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
                    applied.append(migration.identifier)
                }
                if let violation = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") {
                    throw LedgerError.inconsistent("the schema upgrade leaves a foreign key unsatisfied in table \(violation[0] as String? ?? "?")")
                }
                return .commit
            }
            return applied
        }
    }
}
