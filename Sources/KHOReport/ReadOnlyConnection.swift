import Foundation
import GRDBSQLite
import KHOLedger

/// A connection to a ledger that can only read, at every level: the file is
/// opened read-only (``Ledger/init(readingAt:)``), `PRAGMA query_only` is on,
/// extension loading is off, a ``WriteGuard`` authorizer refuses every
/// statement that could write, attach or load code, or that calls a
/// function not on its list of safe ones, while it is compiled, and a
/// statement SQLite does not call read-only is refused before it runs.
///
/// It is bounded too: a run stops at ``timeout`` (or Ctrl-C, see
/// ``requestInterrupt()``), no string or blob grows past
/// ``maximumValueBytes``, and ``run(_:parameters:requireUse:into:)`` hands
/// rows over as they are read.
///
/// Statements go through the SQLite C API on the connection's handle: GRDB's
/// own authorizer is replaced, so no GRDB statement runs on it afterwards.
public final class ReadOnlyConnection {
    /// The ledger read.
    public let ledger: Ledger
    private let writeGuard = WriteGuard()
    private let limit = QueryLimit()

    /// The longest one run may take (nil: no limit); a statement still
    /// running then stops with ``ReportError/timedOut(after:statement:)``.
    public var timeout: Duration? {
        get { limit.timeout }
        set { limit.timeout = newValue }
    }

    /// The largest string or blob a statement may make or read (SQLite's
    /// `SQLITE_LIMIT_LENGTH`); a ledger's largest values are page blobs.
    public static let maximumValueBytes: Int32 = 64 << 20

    /// Asks the run in progress on any connection, or else the next run, to
    /// stop with ``ReportError/interrupted(statement:)``; safe to call from a
    /// signal handler.
    public static func requestInterrupt() { QueryLimit.requestInterrupt() }

    /// Forgets an interrupt requested while no run was in progress (a
    /// console's Ctrl-C at its prompt).
    public static func forgetInterrupt() { QueryLimit.forgetInterrupt() }

    /// Declares the JSON table-valued functions on a connection.
    private static let jsonTables = "SELECT 1 FROM json_each('[]'), json_tree('[]')"

    /// Opens the ledger at `path`.
    public init(readingAt path: String) throws(ReportError) {
        do {
            ledger = try Ledger(readingAt: path)
        } catch {
            throw .ledger(error)
        }
        do {
            try ledger.withConnectionHandle { connection in
                guard sqlite3_exec(connection, "PRAGMA query_only = ON", nil, nil, nil) == SQLITE_OK else {
                    throw ReportError.sql(message: String(cString: sqlite3_errmsg(connection)), statement: "PRAGMA query_only = ON")
                }
                sqlite3_enable_load_extension(connection, 0)
                sqlite3_limit(connection, SQLITE_LIMIT_LENGTH, Self.maximumValueBytes)
                // The JSON table-valued functions (json_each, which expands the
                // ledger's packed layout rows, and json_tree) read only their
                // argument; the first use of one in a connection declares it in
                // the in-memory schema, which the guard would refuse. Declared
                // here, before the guard, they read like any table.
                guard sqlite3_exec(connection, Self.jsonTables, nil, nil, nil) == SQLITE_OK else {
                    throw ReportError.sql(message: String(cString: sqlite3_errmsg(connection)), statement: Self.jsonTables)
                }
                writeGuard.install(on: connection)
                limit.install(on: connection)
            }
        } catch let error as ReportError {
            throw error
        } catch {
            throw .ledger(LedgerError(reading: error, at: path))
        }
    }

    /// Throws when a public view of the ledger is not this build's
    /// definition (replaced or dropped): the canned reports read the views,
    /// and would otherwise print a replaced view's rows as kholedger's answer.
    func requireIntactViews() throws(ReportError) {
        let altered: [LedgerSchema.AlteredView]
        do {
            altered = try ledger.alteredViews()
        } catch {
            throw .ledger(error)
        }
        if let first = altered.first {
            throw .ledger(.inconsistent("\(ledger.path): \(first.reason); `kholedger audit --chain` lists what was altered"))
        }
    }

    /// True when `sql` ends with a complete statement (`;` outside strings,
    /// comments and triggers), as SQLite's `sqlite3_complete` decides.
    public static func isComplete(_ sql: String) -> Bool { sqlite3_complete(sql) != 0 }

    /// Runs every statement of `sql`, in one read transaction, and returns
    /// the rows of those that return columns (see
    /// ``run(_:parameters:requireUse:into:)``; every row is kept).
    public func run(_ sql: String, parameters: [SQLParameter] = [], requireUse: Bool = true) throws(ReportError) -> [QueryResult] {
        var collector = QueryResultCollector()
        try run(sql, parameters: parameters, requireUse: requireUse, into: &collector)
        return collector.results
    }

    /// Runs every statement of `sql`, in one read transaction, handing the
    /// rows of those that return columns to `receiver` as they are read.
    ///
    /// All statements are compiled before the first runs, so a refused one
    /// anywhere in `sql` stops the whole input before `receiver` hears of
    /// it. `parameters` bind `:name`, `@name` and `$name`; parameters not
    /// given are NULL (as in the `sqlite3` shell); with `requireUse`, a
    /// given parameter that no statement uses is an error.
    public func run(_ sql: String, parameters: [SQLParameter] = [], requireUse: Bool = true,
                    into receiver: inout some QueryResultReceiver) throws(ReportError) {
        do {
            try ledger.withConnectionHandle { connection in
                try execute(sql, parameters: parameters, requireUse: requireUse, on: connection, into: &receiver)
            }
        } catch let error as ReportError {
            throw error
        } catch {
            throw .ledger(LedgerError(reading: error, at: ledger.path))
        }
    }

    /// The ledger's generations, in order.
    public func generations() throws(ReportError) -> [Int64] {
        writeGuard.permitsTransactions = true
        defer { writeGuard.permitsTransactions = false }
        do {
            return try ledger.read(GenerationNumbers.fetchAll)
        } catch {
            throw .ledger(LedgerError(reading: error, at: ledger.path))
        }
    }

    private func execute(_ sql: String, parameters: [SQLParameter], requireUse: Bool,
                         on connection: OpaquePointer, into receiver: inout some QueryResultReceiver) throws(ReportError) {
        let statements = try compile(sql, on: connection)
        defer { statements.forEach { sqlite3_finalize($0.handle) } }
        guard !statements.isEmpty else { throw .noStatement }
        var used = Set<String>()
        for statement in statements { used.formUnion(statement.bind(parameters)) }
        if requireUse, let unused = parameters.first(where: { !used.contains($0.name) }) { throw .unusedParameter(unused.name) }

        let returning = statements.filter { !$0.columns.isEmpty }
        try transaction("BEGIN", on: connection)
        do {
            limit.start()
            receiver.begin(returning.map(\.columns))
            var index = 0
            for statement in statements {
                try statement.run(on: connection, limit: limit) { [index] row in receiver.receive(row, result: index) }
                if !statement.columns.isEmpty { index += 1 }
            }
            limit.finish()
            try transaction("COMMIT", on: connection)
            receiver.end()
        } catch {
            limit.finish()
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
