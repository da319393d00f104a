import GRDB

extension LedgerSchema {
    /// Every view as this build's migrations define it: name → the
    /// `CREATE VIEW` text `sqlite_master` keeps. Worked out once, by applying
    /// the migrations to an empty in-memory database.
    public static func viewDefinitions() throws(LedgerError) -> [String: String] {
        try expectedViews.get()
    }

    private static let expectedViews: Result<[String: String], LedgerError> = {
        do {
            let database = try DatabaseQueue()
            try migrator().migrate(database)
            return .success(try database.read(definedViews))
        } catch let error as LedgerError {
            return .failure(error)
        } catch {
            return .failure(.missingMigrations("the migrations do not apply to an empty database: \(error)"))
        }
    }()

    /// `name` and the views of this build its definition reads, directly
    /// or through one another (`v_handed_over` reads the block views of
    /// migration 0010): every view whose definition its answers depend on.
    public static func viewsRead(by name: String) throws(LedgerError) -> Set<String> {
        let definitions = try viewDefinitions()
        var found: Set<String> = []
        var pending = [name]
        while let view = pending.popLast() {
            guard found.insert(view).inserted, let sql = definitions[view] else { continue }
            let words = Set(sql.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
            pending += definitions.keys.filter { words.contains($0) }
        }
        return found
    }

    /// The views `db` defines: name → `CREATE VIEW` text.
    static func definedViews(_ db: Database) throws -> [String: String] {
        let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'view'")
        return Dictionary(try rows.map { row in
            let view = LedgerRow(row, table: "sqlite_master", key: "name")
            return (try view.text("name"), try view.optionalText("sql") ?? "")
        }, uniquingKeysWith: { first, _ in first })
    }

    /// How `db`'s views differ from this build's: one entry per kholedger view
    /// that was replaced or dropped, by name. Empty for an intact ledger
    /// (views a user added beside them are theirs and not listed).
    public static func alteredViews(_ snapshot: LedgerSnapshot) throws -> [AlteredView] {
        let expected = try viewDefinitions()
        let actual = try definedViews(snapshot.db)
        return expected.sorted { $0.key < $1.key }.compactMap { name, wanted in
            guard let found = actual[name] else { return AlteredView(view: name, reason: "view \(name) is missing: it was dropped") }
            return found == wanted ? nil : AlteredView(view: name, reason: "view \(name) is not kholedger's definition: it was replaced")
        }
    }

    /// A public view that is not as this build defines it.
    public struct AlteredView: Equatable, Sendable {
        /// The view's name.
        public var view: String
        /// What is wrong with it, in one line.
        public var reason: String
    }
}
