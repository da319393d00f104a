import KHOMachine

/// A section showing query rows as an HTML table, every cell escaped.
public struct TableSection: HTMLSection {
    public var title: String
    public var anchor: String
    /// A paragraph above the table (plain text).
    public var note: String
    /// The rows.
    public var result: QueryResult

    /// Creates a table section; ``ByteColumns`` are also shown in binary
    /// units (`4176 KiB`).
    public init(title: String, anchor: String, note: String, result: QueryResult) {
        self.title = title
        self.anchor = anchor
        self.note = note
        self.result = result
    }

    public func body() -> String {
        let header = result.columns.map { "<th>\(HTML.escape($0))</th>" }.joined()
        let rows = result.rows.map { row in
            "<tr>" + zip(result.columns, row).map { column, value in cell(value, bytes: ByteColumns.contains(column)) }.joined() + "</tr>"
        }
        let table = rows.isEmpty ? "<p class=\"note\">No rows.</p>"
            : "<table>\n<tr>\(header)</tr>\n\(rows.joined(separator: "\n"))\n</table>"
        return "<p class=\"note\">\(HTML.escape(note))</p>\n<div class=\"scroll\">\(table)</div>"
    }

    private func cell(_ value: SQLValue, bytes: Bool) -> String {
        guard let number = value.integer else { return "<td>\(HTML.escape(value.text))</td>" }
        let text = bytes && number > 0 ? "\(number) (\(ByteSize.format(UInt64(number))))" : String(number)
        return "<td class=\"number\">\(text)</td>"
    }
}
