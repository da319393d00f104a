import Foundation

/// The fleet store's schema: the numbered, forward-only `.sql` files of
/// `Sources/KHOFleet/Migrations/`, applied in order, each in the one
/// transaction that records it in `fleet_migration`.
enum FleetSchema {
    /// One migration: its identifier (the file name without `.sql`) and its SQL.
    struct Migration {
        var identifier: String
        var sql: String
    }

    /// The migrations shipped with this build, in order.
    static func migrations() throws(FleetError) -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil),
              let files = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil) else {
            throw .inconsistent("the fleet migrations are not in the installation")
        }
        var migrations: [Migration] = []
        for file in files.filter({ $0.pathExtension == "sql" }).sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            guard let sql = try? String(contentsOf: file, encoding: .utf8) else { throw .inconsistent("cannot read \(file.lastPathComponent)") }
            migrations.append(Migration(identifier: file.deletingPathExtension().lastPathComponent, sql: sql))
        }
        return migrations
    }

    /// The migrations the store has applied; nil when it has no fleet schema.
    static func applied(_ connection: PostgresConnection) throws -> Set<String>? {
        guard try connection.execute("SELECT to_regclass('fleet_migration') IS NOT NULL AS present").first?.integer("present") == 1 else {
            return nil
        }
        return Set(try connection.execute("SELECT identifier FROM fleet_migration").compactMap { $0.text("identifier") })
    }

    /// Throws unless the store's schema is this build's: no schema or an
    /// older one names `kholedger fleet migrate`, a newer one is refused.
    /// Reads only, so a role that may only read passes.
    static func requireCurrent(_ connection: PostgresConnection) throws {
        let known = try migrations().map(\.identifier)
        guard let applied = try applied(connection) else {
            throw FleetError.noSchema(missing: known)
        }
        let unknown = applied.subtracting(known).sorted()
        guard unknown.isEmpty else { throw FleetError.newerStore(unknown: unknown) }
        let missing = known.filter { !applied.contains($0) }
        guard missing.isEmpty else { throw FleetError.noSchema(missing: missing) }
    }

    /// Applies the migrations the store lacks, all in one transaction
    /// under an advisory lock (two first pushes at once wait for each
    /// other); returns their identifiers. A store already up to date is
    /// only read (a role without the right to create tables may push to
    /// it); one with migrations this build does not know is refused.
    static func migrate(_ connection: PostgresConnection) throws -> [String] {
        let migrations = try migrations()
        if let applied = try applied(connection), migrations.allSatisfy({ applied.contains($0.identifier) }) {
            let unknown = applied.subtracting(migrations.map(\.identifier)).sorted()
            guard unknown.isEmpty else { throw FleetError.newerStore(unknown: unknown) }
            return []
        }
        return try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(\(advisoryLock))")
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS fleet_migration (identifier text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = try applied(connection) ?? []
            let unknown = applied.subtracting(migrations.map(\.identifier)).sorted()
            guard unknown.isEmpty else { throw FleetError.newerStore(unknown: unknown) }
            let missing = migrations.filter { !applied.contains($0.identifier) }
            for migration in missing {
                try connection.executeScript(migration.sql)
                try connection.execute("INSERT INTO fleet_migration (identifier) VALUES ($1)", [migration.identifier])
            }
            return missing.map(\.identifier)
        }
    }

    /// The key of the advisory lock migrations take (`KHOF`).
    static let advisoryLock = 0x4B48_4F46
}
