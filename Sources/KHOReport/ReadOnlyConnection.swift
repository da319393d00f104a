import Foundation
import GRDB
import GRDBSQLite
import KHOLedger

/// A connection to a ledger that can only read, at every level: the file is
/// opened read-only (``Ledger/init(readingAt:)``), `PRAGMA query_only` is on,
/// extension loading is off, a ``WriteGuard`` authorizer refuses every
/// statement that could write, attach or load code while it is compiled,
/// and a statement SQLite does not call read-only is refused before it runs.
///
/// Statements go through the SQLite C API on the connection's handle: GRDB's
/// own authorizer is replaced, so no GRDB statement runs on it afterwards.
public final class ReadOnlyConnection {
    /// The ledger read.
    public let ledger: Ledger
    private let writeGuard = WriteGuard()

    /// Opens the ledger at `path`.
    public init(readingAt path: String) throws(ReportError) {
        do {
            ledger = try Ledger(readingAt: path)
        } catch {
            throw .ledger(error)
        }
        do {
            try ledger.database.inDatabase { db in
                try db.execute(sql: "PRAGMA query_only = ON")
                guard let connection = db.sqliteConnection else { return }
                sqlite3_enable_load_extension(connection, 0)
                writeGuard.install(on: connection)
            }
        } catch {
            throw .ledger(.database("\(path): \(error)"))
        }
    }

    /// True when `sql` ends with a complete statement (`;` outside strings,
    /// comments and triggers), as SQLite's `sqlite3_complete` decides.
    public static func isComplete(_ sql: String) -> Bool { sqlite3_complete(sql) != 0 }

    /// Runs every statement of `sql`, in one read transaction, and returns
    /// the rows of those that return columns.
    ///
    /// All statements are compiled before the first runs, so a refused one
    /// anywhere in `sql` stops the whole input before anything is printed.
    /// `parameters` bind `:name`, `@name` and `$name`; parameters not given
    /// are NULL (as in the `sqlite3` shell); with `requireUse`, a given
    /// parameter that no statement uses is an error.
    public func run(_ sql: String, parameters: [SQLParameter] = [], requireUse: Bool = true) throws(ReportError) -> [QueryResult] {
        do {
            return try ledger.database.inDatabase { db in
                guard let connection = db.sqliteConnection else { throw ReportError.ledger(.database("\(ledger.path) is closed")) }
                return try execute(sql, parameters: parameters, requireUse: requireUse, on: connection)
            }
        } catch let error as ReportError {
            throw error
        } catch {
            throw .ledger(.database("\(ledger.path): \(error)"))
        }
    }

    /// The ledger's generations, in order.
    public func generations() throws(ReportError) -> [Int64] {
        try run("SELECT generation FROM generation ORDER BY generation").first?.rows.compactMap { $0.first?.integer } ?? []
    }

    private func execute(_ sql: String, parameters: [SQLParameter], requireUse: Bool,
                         on connection: OpaquePointer) throws(ReportError) -> [QueryResult] {
        let statements = try compile(sql, on: connection)
        defer { statements.forEach { sqlite3_finalize($0.handle) } }
        guard !statements.isEmpty else { throw .noStatement }
        var used = Set<String>()
        for statement in statements { used.formUnion(statement.bind(parameters)) }
        if requireUse, let unused = parameters.first(where: { !used.contains($0.name) }) { throw .unusedParameter(unused.name) }

        try transaction("BEGIN", on: connection)
        do {
            var results: [QueryResult] = []
            for statement in statements {
                if let result = try statement.rows(on: connection) { results.append(result) }
            }
            try transaction("COMMIT", on: connection)
            return results
        } catch {
            try? transaction("ROLLBACK", on: connection)
            throw error
        }
    }

    /// Compiles every statement of `sql`; refusals and syntax errors stop here.
    private func compile(_ sql: String, on connection: OpaquePointer) throws(ReportError) -> [CompiledStatement] {
        var statements: [CompiledStatement] = []
        let utf8 = Array(sql.utf8CString)
        var failure: ReportError?
        utf8.withUnsafeBufferPointer { buffer in
            var tail: UnsafePointer<CChar>? = buffer.baseAddress
            while let start = tail, start.pointee != 0 {
                var handle: OpaquePointer?
                writeGuard.reset()
                let code = sqlite3_prepare_v2(connection, start, -1, &handle, &tail)
                let text = Self.text(from: start, to: code == SQLITE_OK ? tail : nil)
                if let refused = writeGuard.refused {
                    sqlite3_finalize(handle)
                    failure = .readOnly(statement: text, action: refused)
                    return
                }
                guard code == SQLITE_OK else {
                    failure = .sql(message: String(cString: sqlite3_errmsg(connection)), statement: text)
                    return
                }
                guard let handle else { continue }   // only whitespace or comments
                guard sqlite3_stmt_readonly(handle) != 0 else {
                    sqlite3_finalize(handle)
                    failure = .readOnly(statement: text, action: "writes")
                    return
                }
                statements.append(CompiledStatement(handle: handle, text: text))
            }
        }
        if let failure {
            statements.forEach { sqlite3_finalize($0.handle) }
            throw failure
        }
        return statements
    }

    /// The connection's own BEGIN, COMMIT or ROLLBACK.
    private func transaction(_ command: String, on connection: OpaquePointer) throws(ReportError) {
        writeGuard.permitsTransactions = true
        defer { writeGuard.permitsTransactions = false }
        guard sqlite3_exec(connection, command, nil, nil, nil) == SQLITE_OK else {
            throw .sql(message: String(cString: sqlite3_errmsg(connection)), statement: command)
        }
    }

    /// The statement text between `start` and `end` (nil: the end of the
    /// input), without whole-line comments.
    private static func text(from start: UnsafePointer<CChar>, to end: UnsafePointer<CChar>?) -> String {
        let count = end.map { $0 - start } ?? strlen(start)
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(start).assumingMemoryBound(to: UInt8.self), count: count)
        return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
