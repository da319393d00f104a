/// A value in a ledger row that no recording writes — a damaged or edited
/// ledger is untrusted input. Readers check each value where they read it
/// (``LedgerRow``, the one place the checks are written) and stop with this
/// error instead of trapping or allocating by the value; `kholedger audit`
/// reports each as a `corrupt-row` finding.
public struct CorruptRow: Error, Equatable, Sendable, CustomStringConvertible {
    /// The table.
    public let table: String
    /// The row: its key columns' values (`7`, `seq 12, part 0`).
    public let row: String
    /// The column.
    public let column: String
    /// The value found.
    public let value: StoredValue
    /// What the value must be, in words.
    public let expected: String

    public init(table: String, row: String, column: String, value: StoredValue, expected: String) {
        self.table = table
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
    }

    public var description: String {
        "corrupt ledger row: \(table) row \(row): \(column) = \(value), expected \(expected)"
    }
}
