import KHOABI

/// A value in a ledger row that no recording writes — a damaged or edited
/// ledger is untrusted input. Readers check each value where they read it,
/// with the checks below (the one place their bounds are written), and stop
/// with this error instead of trapping or allocating by the value;
/// `kholedger audit` reports each as a `corrupt-row` finding.
public struct CorruptRow: Error, Equatable, Sendable, CustomStringConvertible {
    /// The table.
    public let table: String
    /// The row: its `id` (`generation` for the generation table; the key
    /// columns for a table without one).
    public let row: String
    /// The column.
    public let column: String
    /// The value found.
    public let value: Int64
    /// What the value must be, in words.
    public let expected: String

    public init(table: String, row: String, column: String, value: Int64, expected: String) {
        self.table = table
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
    }

    public var description: String {
        "corrupt ledger row: \(table) row \(row): \(column) = \(value), expected \(expected)"
    }

    /// `value` as a block order of `geometry`: 0 up to the order whose
    /// block is 2^63 bytes.
    public static func order(_ value: Int64, geometry: PageGeometry, table: String, row: String,
                             column: String = "ord") throws(CorruptRow) -> Int {
        let limit = Int64(geometry.order0Log2 - 1)
        guard (0 ... limit).contains(value) else {
            throw CorruptRow(table: table, row: row, column: column, value: value, expected: "an order 0…\(limit)")
        }
        return Int(value)
    }

    /// `value` as a count of blocks of `order` in `memory` (at least 1, and
    /// no more than the memory holds).
    public static func blocks(_ value: Int64, order: Int, geometry: PageGeometry, memory: GenerationMemory, table: String,
                              row: String, column: String = "count") throws(CorruptRow) -> UInt64 {
        let limit = Int64(memory.size / geometry.bytes(order: order))
        guard (1 ... max(1, limit)).contains(value) else {
            throw CorruptRow(table: table, row: row, column: column, value: value,
                             expected: "1…\(limit) blocks of order \(order) (the generation's memory)")
        }
        return UInt64(value)
    }

    /// `value` as a page count of an object (a vmalloc descriptor's
    /// `total_pages` is 32 bits).
    public static func pageCount(_ value: Int64, table: String, row: String, column: String = "total_pages") throws(CorruptRow) -> UInt64 {
        guard (0 ... Int64(UInt32.max)).contains(value) else {
            throw CorruptRow(table: table, row: row, column: column, value: value, expected: "0…\(UInt32.max) pages")
        }
        return UInt64(value)
    }
}
