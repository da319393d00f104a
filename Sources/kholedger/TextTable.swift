/// Text columns separated by two spaces: a column of numbers and sizes
/// (`1047`, `4188 KiB`, `-`) right-aligned, heading included, any other
/// column left-aligned; control characters in cells are escaped
/// (``Swift/String/escapingControlCharacters``).
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    var rendered: String {
        let lines = ([header] + rows).map { $0.map(\.escapingControlCharacters) }
        let widths = header.indices.map { column in
            lines.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        let numeric = header.indices.map { column in
            let cells = rows.compactMap { $0.indices.contains(column) ? $0[column] : nil }
            return cells.allSatisfy(Self.isNumber) && cells.contains { $0 != "-" }
        }
        return lines.map { Self.line($0, widths: widths, rightAligned: numeric) }.joined(separator: "\n")
    }

    /// One line of a table: each cell padded to its column's width — on the
    /// left in a right-aligned column — the last cell not padded on the
    /// right; a column past `widths` is not padded.
    static func line(_ cells: [String], widths: [Int], rightAligned: [Bool]) -> String {
        cells.enumerated().map { column, cell in
            let pad = String(repeating: " ", count: column < widths.count ? max(0, widths[column] - cell.count) : 0)
            if column < rightAligned.count, rightAligned[column] { return pad + cell }
            return column == cells.count - 1 ? cell : cell + pad
        }.joined(separator: "  ")
    }

    /// A count, or a size as ``ByteSize`` prints it, or `-` for none.
    private static func isNumber(_ cell: String) -> Bool {
        let parts = cell.split(separator: " ")
        guard let count = parts.first, cell != "" else { return false }
        guard count == "-" || count.allSatisfy(\.isASCIIDigitOrPoint) else { return false }
        return parts.count == 1 || (parts.count == 2 && ["B", "KiB", "MiB", "GiB", "TiB"].contains(parts[1]))
    }
}

private extension Character {
    var isASCIIDigitOrPoint: Bool { isASCII && (isNumber || self == ".") }
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
