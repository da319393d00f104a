import Foundation
import GRDB
import KHOABI

/// A column of a row, by name or by 0-based position in the `SELECT`.
public protocol ColumnKey {
    /// The column's value in `columns`; nil when the row has no such column.
    func databaseValue(in columns: some StoredColumns) -> DatabaseValue?
    /// The column's name in `columns`.
    func name(in columns: some StoredColumns) -> String
}

extension String: ColumnKey {
    public func databaseValue(in columns: some StoredColumns) -> DatabaseValue? { columns.databaseValue(named: self) }
    public func name(in columns: some StoredColumns) -> String { self }
}

extension Int: ColumnKey {
    public func databaseValue(in columns: some StoredColumns) -> DatabaseValue? { columns.databaseValue(at: self) }
    public func name(in columns: some StoredColumns) -> String { columns.columnName(at: self) }
}

/// One row of a ledger table, read as untrusted input: every value is
/// checked where it is read — its SQLite type, and for orders, counts and
/// page counts its bounds — and a value no recording writes is a
/// ``CorruptRow`` naming the table, the row, the column and the value,
/// never a trap or an allocation by the value.
///
///     try db.cachedStatement(sql: "SELECT id, phys, ord, count FROM preserved_run …")
///         .forEachRow(integers: arguments) { columns in
///             let row = LedgerRow(columns, table: "preserved_run")
///             let order = try row.order("ord", geometry: geometry)
///             …
///         }
public struct LedgerRow<Columns: StoredColumns> {
    /// The row's columns.
    public let columns: Columns
    /// The table the row is read from.
    public let table: String
    /// The columns that name the row in an error, separated by ", ".
    public let key: String

    /// Reads `columns`, a row of `table` named by the columns `key`
    /// (separated by ", "; `id` unless said).
    public init(_ columns: Columns, table: String, key: String = "id") {
        self.columns = columns
        self.table = table
        self.key = key
    }

    // MARK: Values by type

    /// An INTEGER value.
    public func integer(_ column: some ColumnKey) throws(CorruptRow) -> Int64 {
        try required(optionalInteger(column), column, expected: "an integer")
    }

    /// An INTEGER value or NULL.
    public func optionalInteger(_ column: some ColumnKey) throws(CorruptRow) -> Int64? {
        try optional(column, expected: "an integer") { if case .int64(let value) = $0 { value } else { nil } }
    }

    /// A physical address, stored as the INTEGER of its 64 bits.
    public func address(_ column: some ColumnKey) throws(CorruptRow) -> UInt64 {
        UInt64(bitPattern: try integer(column))
    }

    /// A physical address or NULL.
    public func optionalAddress(_ column: some ColumnKey) throws(CorruptRow) -> UInt64? {
        try optionalInteger(column).map { UInt64(bitPattern: $0) }
    }

    /// A TEXT value.
    public func text(_ column: some ColumnKey) throws(CorruptRow) -> String {
        try required(optionalText(column), column, expected: "text")
    }

    /// A TEXT value or NULL.
    public func optionalText(_ column: some ColumnKey) throws(CorruptRow) -> String? {
        try optional(column, expected: "text") { if case .string(let value) = $0 { value } else { nil } }
    }

    /// A BLOB value.
    public func blob(_ column: some ColumnKey) throws(CorruptRow) -> Data {
        try required(optionalBlob(column), column, expected: "a blob")
    }

    /// A BLOB value or NULL.
    public func optionalBlob(_ column: some ColumnKey) throws(CorruptRow) -> Data? {
        try optional(column, expected: "a blob") { if case .blob(let value) = $0 { value } else { nil } }
    }

    /// A BLOB of exactly `count` bytes (a SHA-256, a page).
    public func blob(_ column: some ColumnKey, count: Int) throws(CorruptRow) -> Data {
        let value = try blob(column)
        guard value.count == count else { throw corrupt(column, expected: "a blob of \(count) bytes") }
        return value
    }

    /// The bytes of the BLOB in column `index`, copied once from SQLite
    /// (the read of a page's bytes on a restore's path).
    public func bytes(_ index: Int) throws(CorruptRow) -> [UInt8] {
        guard let bytes = columns.blobBytes(at: index) else { throw corrupt(index, expected: "a blob") }
        return bytes
    }

    // MARK: Values by meaning

    /// An INTEGER in `range`; `expected` says what the range means.
    public func integer(_ column: some ColumnKey, in range: ClosedRange<Int64>, expected: String) throws(CorruptRow) -> Int64 {
        let value = try integer(column)
        guard range.contains(value) else { throw corrupt(column, expected: expected) }
        return value
    }

    /// A block order of `geometry`: 0 up to the order whose block is 2^63 bytes.
    public func order(_ column: some ColumnKey, geometry: PageGeometry) throws(CorruptRow) -> Int {
        let limit = Int64(geometry.order0Log2 - 1)
        return Int(try integer(column, in: 0 ... limit, expected: "an order 0…\(limit)"))
    }

    /// A count of blocks of `order` in `memory`: at least 1, and no more
    /// than the memory holds.
    public func blocks(_ column: some ColumnKey, order: Int, geometry: PageGeometry, memory: GenerationMemory) throws(CorruptRow) -> UInt64 {
        let limit = Int64(memory.size / geometry.bytes(order: order))
        return UInt64(try integer(column, in: 1 ... max(1, limit),
                                  expected: "1…\(limit) blocks of order \(order) (the generation's memory)"))
    }

    /// A run of blocks from the columns `phys`, `ord` and `count` (or
    /// those named): its order and count checked as above, and its last
    /// byte below 2^64.
    public func run(phys: some ColumnKey = "phys", order: some ColumnKey = "ord", count: some ColumnKey = "count",
                    geometry: PageGeometry, memory: GenerationMemory) throws(CorruptRow) -> BlockRun {
        let start = try address(phys)
        let order = try self.order(order, geometry: geometry)
        let blocks = try self.blocks(count, order: order, geometry: geometry, memory: memory)
        // blocks × block size is at most the memory size, below 2^63.
        guard start <= UInt64.max - blocks * geometry.bytes(order: order) else {
            throw corrupt(phys, expected: "a run that ends below 2^64")
        }
        return BlockRun(phys: start, order: order, count: Int(blocks))
    }

    /// The blocks of a layout row (``PackedBlocks``), each as a run: its
    /// run from `phys`, `ord` and `count` when the `blocks` column is NULL,
    /// else one run of one block per page frame number that column lists,
    /// the first at `phys`. A list that is not `count` page frame numbers,
    /// or whose first is not at `phys`, is corrupt.
    public func layout(phys: some ColumnKey = "phys", order: some ColumnKey = "ord", count: some ColumnKey = "count",
                       blocks: some ColumnKey = "blocks", geometry: PageGeometry, memory: GenerationMemory) throws(CorruptRow) -> [BlockRun] {
        let run = try self.run(phys: phys, order: order, count: count, geometry: geometry, memory: memory)
        guard let text = try optionalText(blocks) else { return [run] }
        let size = geometry.bytes(order: run.order)
        guard let frames = PackedBlocks.frames(text, count: run.count),
              frames.allSatisfy({ $0 <= (UInt64.max - size) >> UInt64(geometry.pageShift) }),
              frames.first.map({ $0 << UInt64(geometry.pageShift) }) == run.phys else {
            throw corrupt(blocks, expected: "a JSON array of \(run.count) page frame numbers, the first at phys")
        }
        return frames.map { BlockRun(phys: $0 << UInt64(geometry.pageShift), order: run.order, count: 1) }
    }

    /// A page count of an object (a vmalloc descriptor's `total_pages` is 32 bits).
    public func pageCount(_ column: some ColumnKey) throws(CorruptRow) -> UInt64 {
        UInt64(try integer(column, in: 0 ... Int64(UInt32.max), expected: "0…\(UInt32.max) pages"))
    }

    /// A page size kholedger models, as the geometry of its pages.
    public func geometry(_ column: some ColumnKey) throws(CorruptRow) -> PageGeometry {
        let sizes = PageGeometry.supportedPageSizes.sorted()
        let value = try integer(column)
        guard let size = Int(exactly: value), let geometry = try? PageGeometry(pageSize: size) else {
            throw corrupt(column, expected: "a page size of \(sizes.map(String.init).joined(separator: ", ")) bytes")
        }
        return geometry
    }

    /// A value of `T` stored as its raw value's text (an enumeration of the ledger's).
    public func text<T: RawRepresentable<String>>(_ column: some ColumnKey, as type: T.Type) throws(CorruptRow) -> T {
        guard let value = T(rawValue: try text(column)) else { throw corrupt(column, expected: "a known \(column.name(in: columns))") }
        return value
    }

    // MARK: Errors

    /// The error for `column`, whose value is not `expected`.
    public func corrupt(_ column: some ColumnKey, expected: String) -> CorruptRow {
        CorruptRow(table: table, row: name, column: column.name(in: columns),
                   value: StoredValue(column.databaseValue(in: columns) ?? .null), expected: expected)
    }

    /// `value`, read from `column`; NULL is a ``CorruptRow`` that expected `expected`.
    private func required<T>(_ value: T?, _ column: some ColumnKey, expected: String) throws(CorruptRow) -> T {
        guard let value else { throw corrupt(column, expected: expected) }
        return value
    }

    /// The value of `column` as `extract` takes it from its storage; nil
    /// for NULL; a value of another type is a ``CorruptRow`` that expected `expected`.
    private func optional<T>(_ column: some ColumnKey, expected: String,
                             _ extract: (DatabaseValue.Storage) -> T?) throws(CorruptRow) -> T? {
        guard let value = column.databaseValue(in: columns) else {
            throw CorruptRow(table: table, row: name, column: column.name(in: columns), value: .null,
                             expected: "a column the table has")
        }
        if value.isNull { return nil }
        guard let extracted = extract(value.storage) else { throw corrupt(column, expected: expected) }
        return extracted
    }

    /// The row's key columns and their values: `7`, or `seq 12, part 0`.
    public var name: String {
        let names = key.components(separatedBy: ", ")
        let values = names.map { name in columns.databaseValue(named: name).map { "\(StoredValue($0))" } ?? "?" }
        return names.count == 1 ? values[0] : zip(names, values).map { "\($0) \($1)" }.joined(separator: ", ")
    }
}
