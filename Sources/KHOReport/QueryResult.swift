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

    /// The rows as a JSON array of objects whose keys are the column names,
    /// in column order.
    public var json: String {
        let keys = columns.map(jsonString)
        let objects = rows.map { row in
            "  {" + zip(keys, row).map { "\($0): \($1.json)" }.joined(separator: ", ") + "}"
        }
        return objects.isEmpty ? "[]" : "[\n" + objects.joined(separator: ",\n") + "\n]"
    }
}
