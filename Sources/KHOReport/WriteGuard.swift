import GRDBSQLite

/// The SQLite authorizer of a read-only ledger connection: it lets
/// statements read and refuses, when they are compiled, everything that
/// could change a database, attach another file or load code.
///
/// Allowed: SELECT, reading columns, recursive CTEs, functions other than
/// `load_extension`, and the pragmas that only report (`table_info(op)`,
/// `page_size`, …; a pragma that can set something is allowed only without
/// an argument, when it reads). Refused: INSERT, UPDATE, DELETE, CREATE,
/// DROP, ALTER, ATTACH (and so VACUUM INTO), DETACH, REINDEX, ANALYZE,
/// transactions and savepoints, virtual tables (the table-valued
/// `pragma_…()` functions among them: compiling one updates the schema),
/// `load_extension`, and every other pragma.
final class WriteGuard {
    /// What the last refused action was, for the error message.
    private(set) var refused: String?
    /// Lets the connection's own BEGIN and COMMIT through.
    var permitsTransactions = false

    /// Pragmas that only report, with or without an argument (the argument
    /// names a table or index, or limits a check).
    static let reportingPragmas: Set<String> = [
        "table_info", "table_xinfo", "table_list", "index_info", "index_list", "index_xinfo",
        "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check",
        "collation_list", "compile_options", "database_list", "function_list", "module_list", "pragma_list",
        "data_version", "freelist_count", "page_count", "encoding",
    ]

    /// Pragmas that set something when given an argument and report without one.
    static let settingPragmas: Set<String> = [
        "application_id", "auto_vacuum", "automatic_index", "busy_timeout", "cache_size", "cache_spill",
        "foreign_keys", "journal_mode", "journal_size_limit", "locking_mode", "max_page_count", "mmap_size",
        "page_size", "query_only", "recursive_triggers", "schema_version", "secure_delete", "synchronous",
        "temp_store", "trusted_schema", "user_version", "wal_autocheckpoint",
    ]

    /// Installs the guard on `connection`; the connection must not outlive it.
    func install(on connection: OpaquePointer) {
        sqlite3_set_authorizer(connection, { context, action, first, second, _, _ in
            let guardian = Unmanaged<WriteGuard>.fromOpaque(context!).takeUnretainedValue()
            return guardian.authorize(action, first.map(String.init(cString:)), second.map(String.init(cString:)))
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Forgets the last refusal (before compiling the next statement).
    func reset() { refused = nil }

    private func authorize(_ action: Int32, _ first: String?, _ second: String?) -> Int32 {
        guard let refusal = Self.refusal(action, first, second, permitsTransactions: permitsTransactions) else { return SQLITE_OK }
        refused = refused ?? refusal
        return SQLITE_DENY
    }

    /// What `action` would do, when it is refused; nil when it only reads.
    static func refusal(_ action: Int32, _ first: String?, _ second: String?, permitsTransactions: Bool) -> String? {
        let a = first ?? "", b = second ?? ""
        let schema = ["sqlite_master", "sqlite_temp_master", "sqlite_schema", "sqlite_temp_schema"].contains(a.lowercased())
        if schema && [SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE].contains(action) { return "changes the schema" }
        switch action {
        case SQLITE_SELECT, SQLITE_READ, SQLITE_RECURSIVE:
            return nil
        case SQLITE_FUNCTION:
            return b.lowercased() == "load_extension" ? "loads an extension" : nil
        case SQLITE_PRAGMA:
            let name = a.lowercased()
            if reportingPragmas.contains(name) || (second == nil && settingPragmas.contains(name)) { return nil }
            return second == nil ? "PRAGMA \(a) does more than report" : "sets \(a)"
        case SQLITE_TRANSACTION, SQLITE_SAVEPOINT:
            return permitsTransactions && action == SQLITE_TRANSACTION ? nil : "controls a transaction"
        case SQLITE_INSERT: return "inserts into \(a)"
        case SQLITE_UPDATE: return "updates \(a).\(b)"
        case SQLITE_DELETE: return "deletes from \(a)"
        case SQLITE_ATTACH: return "attaches \(a.isEmpty ? "a database" : a)"
        case SQLITE_DETACH: return "detaches \(a)"
        case SQLITE_ALTER_TABLE: return "alters \(b)"
        case SQLITE_REINDEX: return "rebuilds indexes"
        case SQLITE_ANALYZE: return "writes statistics"
        case SQLITE_CREATE_INDEX, SQLITE_CREATE_TABLE, SQLITE_CREATE_TEMP_INDEX, SQLITE_CREATE_TEMP_TABLE,
             SQLITE_CREATE_TEMP_TRIGGER, SQLITE_CREATE_TEMP_VIEW, SQLITE_CREATE_TRIGGER, SQLITE_CREATE_VIEW,
             SQLITE_CREATE_VTABLE, SQLITE_DROP_INDEX, SQLITE_DROP_TABLE, SQLITE_DROP_TEMP_INDEX, SQLITE_DROP_TEMP_TABLE,
             SQLITE_DROP_TEMP_TRIGGER, SQLITE_DROP_TEMP_VIEW, SQLITE_DROP_TRIGGER, SQLITE_DROP_VIEW, SQLITE_DROP_VTABLE:
            return "changes the schema"
        default:
            return "SQLite authorizer action \(action)"
        }
    }
}
