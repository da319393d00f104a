import Foundation
import GRDBSQLite

/// One prepared statement of a ``ReadOnlyConnection`` input; the connection
/// finalizes it.
struct CompiledStatement {
    let handle: OpaquePointer
    /// Its SQL text, for error messages.
    let text: String
    /// The names of the columns it returns; empty for a statement that returns no rows.
    let columns: [String]

    init(handle: OpaquePointer, text: String) {
        self.handle = handle
        self.text = text
        columns = (0..<sqlite3_column_count(handle)).map { sqlite3_column_name(handle, $0).map { String(cString: $0) } ?? "" }
    }

    /// SQLite's marker for values it must copy.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds the parameters the statement names and returns the names used.
    func bind(_ parameters: [SQLParameter]) -> Set<String> {
        var used = Set<String>()
        let count = sqlite3_bind_parameter_count(handle)
        guard count > 0 else { return used }
        for index in 1...count {
            guard let cName = sqlite3_bind_parameter_name(handle, index) else { continue }
            let name = String(String(cString: cName).dropFirst())
            guard let parameter = parameters.last(where: { $0.name == name }) else { continue }
            used.insert(name)
            switch parameter.value {
            case .null: sqlite3_bind_null(handle, index)
            case .integer(let value): sqlite3_bind_int64(handle, index, value)
            case .real(let value): sqlite3_bind_double(handle, index, value)
            case .text(let value): sqlite3_bind_text(handle, index, value, -1, Self.transient)
            case .blob(let bytes): sqlite3_bind_blob(handle, index, bytes, Int32(bytes.count), Self.transient)
            }
        }
        return used
    }

    /// Runs the statement, handing each row to `receive` as it is read;
    /// `limit` tells why an interrupted statement stopped.
    func run(on connection: OpaquePointer, limit: QueryLimit, _ receive: ([SQLValue]) -> Void) throws(ReportError) {
        let columnCount = Int32(columns.count)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                if code == SQLITE_INTERRUPT { throw limit.stopReason(statement: text) }
                throw .sql(message: String(cString: sqlite3_errmsg(connection)), statement: text)
            }
            receive((0..<columnCount).map(value))
        }
    }

    private func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let text = sqlite3_column_text(handle, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }
}
