import GRDB
import GRDBSQLite

extension Statement {
    /// Runs this statement once with integer arguments (nil binds NULL)
    /// bound straight through the SQLite C API. The recorder writes a row
    /// per run of frames and per page, millions for a large area; there,
    /// building `StatementArguments` costs more than SQLite's own work.
    func execute(integers values: Int64?...) throws {
        bind(integers: values)
        try stepOnce()
    }

    /// Steps through every row with integer arguments bound through the
    /// SQLite C API, calling `body` with the row's columns read in place: for
    /// answers of thousands to millions of rows, where decoding a `Row` each
    /// costs more than SQLite's own work.
    public func forEachRow(integers values: [Int64?], _ body: (RowColumns) throws -> Void) throws {
        bind(integers: values)
        let statement = sqliteStatement
        defer { sqlite3_reset(statement) }
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: try body(RowColumns(statement: statement))
            case SQLITE_DONE: return
            case let code: throw failure(code)
            }
        }
    }

    /// Runs this statement once with integer arguments followed by one
    /// text argument (nil binds NULL), bound through the SQLite C API: a
    /// layout row with its packed blocks.
    func execute(integers values: Int64?..., text: String?) throws {
        bind(integers: values)
        let statement = sqliteStatement
        let position = Int32(values.count + 1)
        guard var text else {
            sqlite3_bind_null(statement, position)
            return try stepOnce()
        }
        try text.withUTF8 { utf8 in
            // SQLITE_STATIC: SQLite reads the text during the step only.
            sqlite3_bind_text(statement, position, UnsafeRawPointer(utf8.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                .assumingMemoryBound(to: CChar.self), Int32(utf8.count), nil)
            try stepOnce()
        }
    }

    private func bind(integers values: [Int64?]) {
        let statement = sqliteStatement
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            if let value { sqlite3_bind_int64(statement, position, value) } else { sqlite3_bind_null(statement, position) }
        }
    }

    /// Runs this statement once with blob arguments bound through the SQLite
    /// C API without copying them (SQLite reads them during the step only):
    /// for page data, where a copy per 4 KiB page is measurable.
    func execute(blobs values: UnsafeRawBufferPointer...) throws {
        let statement = sqliteStatement
        for (index, value) in values.enumerated() {
            // A zero-length blob still needs a non-NULL pointer to bind as a blob.
            sqlite3_bind_blob(statement, Int32(index + 1), value.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(value.count), nil)
        }
        try stepOnce()
    }

    /// Steps to completion and resets, turning a failure into a `DatabaseError`.
    private func stepOnce() throws {
        let statement = sqliteStatement
        defer { sqlite3_reset(statement) }
        let code = sqlite3_step(statement)
        if code != SQLITE_DONE { throw failure(code) }
    }

    /// The error of a step that returned `code`, with SQLite's message
    /// (read before the statement is reset).
    private func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }
}

/// The current row of a statement stepped by ``GRDB/Statement/forEachRow(integers:_:)``,
/// read in place through the SQLite C API (with checks, as a ``LedgerRow``);
/// valid only inside the call that received it.
public struct RowColumns {
    let statement: OpaquePointer
}
