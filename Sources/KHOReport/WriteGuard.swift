import GRDBSQLite

/// The SQLite authorizer of a read-only ledger connection: it lets
/// statements read and refuses, when they are compiled, everything that
/// could change a database, attach another file, load code or reach
/// memory through a function.
///
/// Allowed: SELECT, reading columns, recursive CTEs, the functions in
/// ``safeFunctions`` (SQLite's core, aggregate, window, date, math and JSON
/// functions), and the pragmas that only report (`table_info(op)`,
/// `page_size`, …; a pragma that can set something is allowed only without
/// an argument, when it reads). Refused: INSERT, UPDATE, DELETE, CREATE,
/// DROP, ALTER, ATTACH (and so VACUUM INTO), DETACH, REINDEX, ANALYZE,
/// transactions and savepoints, virtual tables (the table-valued
/// `pragma_…()` functions among them: compiling one updates the schema;
/// ``ReadOnlyConnection`` declares `json_each` and `json_tree` before it
/// installs the guard, so those two read like tables),
/// every other function (`load_extension`; `fts3_tokenizer`, which takes
/// and returns raw pointers; the full-text functions), and every other pragma.
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

    /// The functions a statement may call: SQLite's built-in functions that
    /// compute on their arguments and return SQL values, never a pointer.
    static let safeFunctions: Set<String> = [
        // core scalar
        "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "if", "ifnull", "iif", "instr",
        "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif", "octet_length", "printf",
        "quote", "random", "randomblob", "replace", "round", "rtrim", "sign", "soundex", "substr", "substring", "trim",
        "typeof", "unhex", "unicode", "unistr", "unlikely", "upper", "zeroblob", "sqlite_version", "sqlite_source_id",
        "changes", "total_changes", "last_insert_rowid",
        // aggregate
        "avg", "count", "group_concat", "string_agg", "sum", "total", "median", "percentile", "percentile_cont", "percentile_disc",
        // window
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
        // date and time
        "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
        "current_date", "current_time", "current_timestamp",
        // math
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh", "degrees", "exp",
        "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
        // JSON
        "json", "jsonb", "json_array", "jsonb_array", "json_array_length", "json_error_position", "json_extract", "jsonb_extract",
        "->", "->>", "json_insert", "jsonb_insert", "json_object", "jsonb_object", "json_patch", "jsonb_patch", "json_pretty",
        "json_remove", "jsonb_remove", "json_replace", "jsonb_replace", "json_set", "jsonb_set", "json_type", "json_valid",
        "json_quote", "json_group_array", "jsonb_group_array", "json_group_object", "jsonb_group_object",
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
            let name = b.lowercased()
            if safeFunctions.contains(name) { return nil }
            return name == "load_extension" ? "loads an extension" : "calls \(b)(), which is not among the safe SQL functions"
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
