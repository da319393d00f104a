import GRDB
import GRDBSQLite

extension Statement {
    /// Runs this statement once with integer arguments (nil binds NULL)
    /// bound straight through the SQLite C API. The recorder writes a row
    /// per run of frames and per page, millions for a large area; there,
    /// building `StatementArguments` costs more than SQLite's own work.
    func execute(integers values: Int64?...) throws {
        let statement = sqliteStatement
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            if let value { sqlite3_bind_int64(statement, position, value) } else { sqlite3_bind_null(statement, position) }
        }
        try stepOnce()
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
        let code = sqlite3_step(statement)
        if code != SQLITE_DONE {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(statement)))
            sqlite3_reset(statement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
        }
        sqlite3_reset(statement)
    }
}
