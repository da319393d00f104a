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

    /// A migrator registering one migration per file, identified by its file name without extension.
    public static func migrator() throws(LedgerError) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for file in try migrationFiles() {
            let sql: String
            do {
                sql = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw .missingMigrations("\(file.path): \(error.localizedDescription)")
            }
            migrator.registerMigration(file.deletingPathExtension().lastPathComponent) { db in
                try db.execute(sql: sql)
            }
        }
        return migrator
    }
}
