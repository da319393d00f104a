import KHOLedger

/// The rows one SQL statement returned, with its column names.
public struct QueryResult: Equatable, Sendable {
    /// Column names, in order (names may repeat, as in SQL).
    public var columns: [String]
    /// Rows, each with one value per column.
    public var rows: [[SQLValue]]

    /// Creates a result.
    public init(columns: [String], rows: [[SQLValue]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The index of the first column called `name`.
    public func column(_ name: String) -> Int? { columns.firstIndex(of: name) }

    /// One row as an indented JSON object keyed by `columns`, in column order.
    public static func jsonObject(_ row: [SQLValue], columns: [String]) -> String {
        "  {" + zip(columns, row).map { "\(jsonString($0)): \($1.json)" }.joined(separator: ", ") + "}"
    }
}
