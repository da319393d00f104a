import GRDB

/// One change to one ledger row (or to every row of a table) that a fuzz
/// input describes: a value no recording writes, or the row's removal.
///
/// The input's 12-byte records are: table, row, column, value kind, and an
/// 8-byte little-endian operand. Table and column are indices (modulo the
/// count) into the ledger's tables and their columns, sorted by name; row
/// 255 is every row, any other byte the row at that offset (modulo the
/// count) in key order.
struct RowMutation {
    /// The bytes of one record.
    static let recordSize = 12

    /// A value to write.
    enum Value {
        case null, integer(Int64), text(String), zeroBlob(Int), blob([UInt8])
        /// The value already there plus the operand.
        case shifted(Int64)
        /// Deletes the row instead.
        case deleteRow
    }

    var table: UInt8
    var row: UInt8
    var column: UInt8
    var value: Value

    /// The mutations of `bytes` (at most `limit`; a trailing partial record is ignored).
    static func decode(_ bytes: ArraySlice<UInt8>, limit: Int = 16) -> [RowMutation] {
        var mutations: [RowMutation] = []
        var offset = bytes.startIndex
        while offset + recordSize <= bytes.endIndex, mutations.count < limit {
            let record = Array(bytes[offset ..< offset + recordSize])
            let operand = record[4...].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            mutations.append(RowMutation(table: record[0], row: record[1], column: record[2],
                                         value: value(kind: record[3], operand: Int64(bitPattern: operand))))
            offset += recordSize
        }
        return mutations
    }

    /// The value of kind `kind`: the edges of SQLite's integers and of the
    /// ledger's fields, NULL, text where an integer belongs, empty, huge and
    /// wrong-length blobs, or the operand itself.
    private static func value(kind: UInt8, operand: Int64) -> Value {
        let kinds: [Value] = [
            .integer(-1), .integer(0), .integer(1), .integer(1 << 31), .integer(1 << 32), .integer(1 << 62),
            .integer(.max), .integer(.min), .null, .text("x"), .text(""), .blob([]), .zeroBlob(32 << 20),
            .blob([UInt8](repeating: 0xA5, count: 31)), .integer(operand), .shifted(operand & 0xFFFF - 0x8000),
            .integer(operand & 0xFFFF_FFFF), .blob(withUnsafeBytes(of: operand.littleEndian, Array.init)), .deleteRow,
        ]
        return kinds[Int(kind) % kinds.count]
    }

    /// Applies the mutation to the database of `db`; a statement SQLite
    /// refuses (a constraint) changes nothing.
    func apply(_ db: Database) throws {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        guard !tables.isEmpty else { return }
        let table = tables[Int(self.table) % tables.count]
        let info = try Row.fetchAll(db, sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY name", arguments: [table])
        guard !info.isEmpty else { return }
        let column: String = info[Int(self.column) % info.count]["name"]
        let keys = info.filter { ($0["pk"] as Int) > 0 }.map { quoted($0["name"]) }
        let key = keys.isEmpty ? "rowid" : keys.joined(separator: ", ")
        var filter = ""
        var arguments: StatementArguments = []
        if row != 255 {
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(quoted(table))") ?? 0
            guard count > 0 else { return }
            filter = " WHERE (\(key)) IN (SELECT \(key) FROM \(quoted(table)) ORDER BY \(key) LIMIT 1 OFFSET ?)"
            arguments = [Int(row) % count]
        }
        let change: String
        switch value {
        case .deleteRow:
            try? db.execute(sql: "DELETE FROM \(quoted(table))\(filter)", arguments: arguments)
            return
        case .null: change = "NULL"
        case .integer(let integer): change = "\(integer)"
        case .text(let text): change = "'\(text)'"
        case .zeroBlob(let bytes): change = "zeroblob(\(bytes))"
        case .blob(let bytes): change = "x'\(bytes.map { String($0, radix: 16).leftPadded }.joined())'"
        case .shifted(let delta): change = "\(quoted(column)) + (\(delta))"
        }
        try? db.execute(sql: "UPDATE \(quoted(table)) SET \(quoted(column)) = \(change)\(filter)", arguments: arguments)
    }

    private func quoted(_ name: String) -> String { "\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"" }
}

private extension String {
    /// A hex byte with its leading zero.
    var leftPadded: String { count == 1 ? "0" + self : self }
}
