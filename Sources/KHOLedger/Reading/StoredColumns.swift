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

    public func columnName(at index: Int) -> String {
        sqlite3_column_name(statement, Int32(index)).map { String(cString: $0) } ?? "#\(index)"
    }
}
