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

/// The current row of a statement stepped by ``GRDB/Statement/forEachRow(integers:_:)``;
/// valid only inside the call that received it.
public struct RowColumns {
    fileprivate let statement: OpaquePointer

    /// Column `index` (0-based) as an integer; NULL reads as 0.
    public subscript(_ index: Int32) -> Int64 { sqlite3_column_int64(statement, index) }

    /// Column `index` as an integer, nil for NULL.
    public func optional(_ index: Int32) -> Int64? { isNull(index) ? nil : self[index] }

    /// Column `index` as text (UTF-8; NULL reads as empty).
    public func text(_ index: Int32) -> String {
        guard let text = sqlite3_column_text(statement, index) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))), as: UTF8.self)
    }

    /// Column `index` as bytes (NULL and empty read as no bytes), copied
    /// once from SQLite's buffer.
    public func bytes(_ index: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, index))
        guard count > 0, let blob = sqlite3_column_blob(statement, index) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: blob, count: count))
    }

    /// Whether column `index` is NULL.
    public func isNull(_ index: Int32) -> Bool { sqlite3_column_type(statement, index) == SQLITE_NULL }
}
