/// Left-aligned text columns separated by two spaces; control characters
/// in cells are escaped (``Swift/String/escapingControlCharacters``).
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    var rendered: String {
        let lines = ([header] + rows).map { $0.map(\.escapingControlCharacters) }
        let widths = header.indices.map { column in
            lines.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return lines.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// RFC 4180 CSV.
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map { field in
            field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}
