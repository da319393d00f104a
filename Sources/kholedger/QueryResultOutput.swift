import KHOReport

/// Prints query results (from `sql` and `report`) as a text table, CSV or JSON.
enum QueryResultOutput {
    /// Blob bytes shown in a text table before the cell is cut.
    static let blobPreview = 16

    /// `results` in `format`: tables and CSV blocks separated by a blank
    /// line; JSON is one array of row objects, or an array of such arrays
    /// when there are several results.
    static func render(_ results: [QueryResult], format: TabularFormat) -> String {
        switch format {
        case .text:
            return results.map { result in
                TextTable(header: result.columns, rows: result.rows.map { $0.map(cell) }).rendered
            }.joined(separator: "\n\n")
        case .csv:
            return results.map { result in
                ([CSV.line(result.columns)] + result.rows.map { CSV.line($0.map(\.text)) }).joined(separator: "\n")
            }.joined(separator: "\n\n")
        case .json:
            guard results.count != 1 else { return results[0].json }
            return "[\n" + results.map(\.json).joined(separator: ",\n") + "\n]"
        }
    }

    /// A value in a text table: NULL spelt out, long blobs cut.
    private static func cell(_ value: SQLValue) -> String {
        switch value {
        case .null: return "NULL"
        case .blob(let bytes) where bytes.count > blobPreview:
            return SQLValue.blob(Array(bytes.prefix(blobPreview))).text + "… (\(bytes.count) bytes)"
        default: return value.text
        }
    }
}
