import GRDB
import GRDBSQLite

/// The columns of one row read from a ledger, by name or by 0-based
/// position: a GRDB `Row`, or the current row of a statement stepped in
/// place (``RowColumns``). ``LedgerRow`` reads them with checks.
public protocol StoredColumns {
    /// The value of the column named `name`; nil when the row has no such column.
    func databaseValue(named name: String) -> DatabaseValue?
    /// The value of column `index`; nil when the row has fewer columns.
    func databaseValue(at index: Int) -> DatabaseValue?
    /// The name of column `index`.
    func columnName(at index: Int) -> String
    /// The bytes of column `index`, copied once; nil when its value is not
    /// a blob (or the row has fewer columns).
    func blobBytes(at index: Int) -> [UInt8]?
}

extension StoredColumns {
    public func blobBytes(at index: Int) -> [UInt8]? {
        guard case .blob(let data) = databaseValue(at: index)?.storage else { return nil }
        return [UInt8](data)
    }
}

extension Row: StoredColumns {
    public func databaseValue(named name: String) -> DatabaseValue? {
        hasColumn(name) ? self[name] as DatabaseValue : nil
    }

    public func databaseValue(at index: Int) -> DatabaseValue? {
        (0 ..< count).contains(index) ? self[index] as DatabaseValue : nil
    }

    public func columnName(at index: Int) -> String {
        let names = Array(columnNames)
        return names.indices.contains(index) ? names[index] : "#\(index)"
    }
}

extension RowColumns: StoredColumns {
    public func databaseValue(named name: String) -> DatabaseValue? {
        (0 ..< Int(sqlite3_column_count(statement))).first { columnName(at: $0) == name }.flatMap(databaseValue(at:))
    }

    public func databaseValue(at index: Int) -> DatabaseValue? {
        index < sqlite3_column_count(statement) ? DatabaseValue(sqliteStatement: statement, index: Int32(index)) : nil
    }

    /// Reads the blob in place from SQLite's buffer: a page is copied once.
    public func blobBytes(at index: Int) -> [UInt8]? {
        let column = Int32(index)
        guard column < sqlite3_column_count(statement), sqlite3_column_type(statement, column) == SQLITE_BLOB else { return nil }
        let start = sqlite3_column_blob(statement, column)
        let count = Int(sqlite3_column_bytes(statement, column))
        guard let start, count > 0 else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    }

    public func columnName(at index: Int) -> String {
        sqlite3_column_name(statement, Int32(index)).map { String(cString: $0) } ?? "#\(index)"
    }
}

/// A GRDB `Row` whose columns are looked up by exact name through a table
/// made once for every row of a statement: GRDB's own lookup by name is
/// case-insensitive and lowercases the name on each call, which bulk reads
/// (``Ledger/forEachChainedBatch(after:batchSize:pageBytes:_:)``) cannot afford.
struct IndexedRow: StoredColumns {
    /// Column positions by name, shared by the rows of one statement.
    final class Positions {
        let byName: [String: Int]
        init(_ row: Row) {
            byName = Dictionary(row.columnNames.enumerated().map { ($1, $0) }) { first, _ in first }
        }
    }

    let row: Row
    let positions: Positions

    /// The rows `statement` returns with `arguments`.
    static func fetchAll(_ statement: Statement, arguments: StatementArguments) throws -> [IndexedRow] {
        let rows = try Row.fetchAll(statement, arguments: arguments)
        guard let first = rows.first else { return [] }
        let positions = Positions(first)
        return rows.map { IndexedRow(row: $0, positions: positions) }
    }

    func databaseValue(named name: String) -> DatabaseValue? { positions.byName[name].map { row[$0] as DatabaseValue } }
    func databaseValue(at index: Int) -> DatabaseValue? { row.databaseValue(at: index) }
    func columnName(at index: Int) -> String { row.columnName(at: index) }
}
