import KHOReport
import KHOMachine

/// Prints query results (from `sql` and `report`) as a text table, CSV or
/// JSON, row by row as they arrive, so that memory stays bounded for any
/// number of rows. Tables and CSV blocks are separated by a blank line; JSON
/// is one array of row objects, or an array of such arrays when the input
/// has several statements that return rows.
///
/// A text table's column widths come from its first ``widthSample`` rows
/// (fewer when they hold more than ``widthSampleBytes``); a later, wider
/// cell widens its own line only. Numbers are right-aligned, and a column
/// of numbers has its heading right-aligned too; with ``bytesWithUnits``
/// (`report`), ``ByteColumns`` print in binary units (`4180 KiB`).
struct QueryResultOutput: QueryResultReceiver {
    let format: TabularFormat
    /// Byte counts in units in a text table (CSV and JSON keep the count).
    var bytesWithUnits = false
    /// Where the text goes, piece by piece.
    let write: (String) -> Void

    /// A text-table cell and whether it is a number (right-aligned).
    private struct Cell {
        var text: String
        var isNumber = false
    }

    /// Blob bytes shown in a text table before the cell is cut.
    static let blobPreview = 16
    /// Rows of a text table held back to size its columns.
    static let widthSample = 1000
    /// Bytes of cells held back at most to size a text table's columns.
    static let widthSampleBytes = 1 << 20

    private var columns: [[String]] = []
    /// The result being printed; nil before the first.
    private var current: Int?
    /// Rows of the current result printed so far.
    private var printed = 0
    /// Text table: the rows held back (the heading first), and the widths
    /// and right-aligned columns once they are fixed.
    private var heldBack: [[Cell]] = []
    private var heldBackBytes = 0
    private var widths: [Int]?
    private var rightAligned: [Bool] = []

    init(format: TabularFormat, bytesWithUnits: Bool = false, write: @escaping (String) -> Void) {
        self.format = format
        self.bytesWithUnits = bytesWithUnits
        self.write = write
    }

    /// `results` in `format`, as one string (without a final newline).
    static func render(_ results: [QueryResult], format: TabularFormat, bytesWithUnits: Bool = false) -> String {
        var text = ""
        var output = QueryResultOutput(format: format, bytesWithUnits: bytesWithUnits) { text += $0 }
        output.begin(results.map(\.columns))
        for (index, result) in results.enumerated() {
            for row in result.rows { output.receive(row, result: index) }
        }
        output.end()
        return String(text.dropLast())
    }

    mutating func begin(_ columns: [[String]]) {
        self.columns = columns
        if format == .json, columns.count != 1 { write("[\n") }
    }

    mutating func receive(_ row: [SQLValue], result index: Int) {
        advance(to: index)
        switch format {
        case .text:
            let cells = zip(columns[index], row).map { column, value in
                Self.cell(value, bytes: bytesWithUnits && ByteColumns.contains(column))
            }
            if widths == nil {
                heldBack.append(cells)
                heldBackBytes += cells.reduce(0) { $0 + $1.text.utf8.count }
                if heldBack.count > Self.widthSample || heldBackBytes > Self.widthSampleBytes { flushHeldBack() }
            } else {
                writeLine(cells.map(\.text))
            }
        case .csv:
            write(CSV.line(row.map(\.text)) + "\n")
        case .json:
            write((printed == 0 ? "[\n" : ",\n") + QueryResult.jsonObject(row, columns: columns[index]))
        }
        printed += 1
    }

    mutating func end() {
        advance(to: columns.count)
        switch format {
        case .text, .csv: if columns.isEmpty { write("\n") }
        case .json: write(columns.count == 1 ? "\n" : "\n]\n")
        }
    }

    /// Finishes the results before `index` and starts those up to it.
    private mutating func advance(to index: Int) {
        while current != index {
            if let current { finish(current) }
            let next = (current ?? -1) + 1
            current = next
            if next < columns.count { start(next) }
        }
    }

    private mutating func start(_ index: Int) {
        printed = 0
        switch format {
        case .text:
            if index > 0 { write("\n") }
            heldBack = [columns[index].map { Cell(text: $0.escapingControlCharacters) }]
            heldBackBytes = 0
            widths = nil
        case .csv:
            write((index > 0 ? "\n" : "") + CSV.line(columns[index]) + "\n")
        case .json:
            if index > 0 { write(",\n") }
        }
    }

    private mutating func finish(_ index: Int) {
        switch format {
        case .text: flushHeldBack()
        case .csv: break
        case .json: write(printed == 0 ? "[]" : "\n]")
        }
    }

    /// Fixes the column widths from the rows held back and prints them; a
    /// heading over numbers only is right-aligned like them.
    private mutating func flushHeldBack() {
        guard widths == nil else { return }
        let rows = heldBack.dropFirst()
        widths = heldBack[0].indices.map { column in
            heldBack.map { $0.indices.contains(column) ? $0[column].text.count : 0 }.max() ?? 0
        }
        // A column is right-aligned when the rows sampled hold numbers there (and NULLs).
        rightAligned = heldBack[0].indices.map { column in
            let cells = rows.compactMap { $0.indices.contains(column) ? $0[column] : nil }
            return cells.allSatisfy { $0.isNumber || $0.text == "NULL" } && cells.contains(where: \.isNumber)
        }
        heldBack.forEach { writeLine($0.map(\.text)) }
        heldBack = []
    }

    /// One text-table line (``TextTable/line(_:widths:rightAligned:)``).
    private func writeLine(_ cells: [String]) {
        write(TextTable.line(cells, widths: widths ?? [], rightAligned: rightAligned) + "\n")
    }

    /// A value in a text table: NULL spelt out, long blobs cut, control
    /// characters escaped, a byte count in units when `bytes`.
    private static func cell(_ value: SQLValue, bytes: Bool) -> Cell {
        switch value {
        case .null: return Cell(text: "NULL")
        case .integer(let number) where bytes && number >= 0: return Cell(text: ByteSize.format(UInt64(number)), isNumber: true)
        case .integer, .real: return Cell(text: value.text, isNumber: true)
        case .blob(let bytes) where bytes.count > blobPreview:
            return Cell(text: SQLValue.blob(Array(bytes.prefix(blobPreview))).text + "… (\(bytes.count) bytes)")
        default: return Cell(text: value.text.escapingControlCharacters)
        }
    }
}
