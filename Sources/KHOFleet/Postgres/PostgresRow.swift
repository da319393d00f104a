import CLibPQ
import Foundation
import GRDB
import KHOLedger

/// One row a PostgreSQL statement returned, its values as the server sent
/// them in text form, typed by their column's type: integers as
/// integers, `bytea` as bytes, everything else as text. It is a
/// ``StoredColumns``, so the ledger's row decoders read it as they read a
/// ledger's rows.
struct PostgresRow: StoredColumns {
    /// The column names, shared by every row of a result.
    let names: [String]
    let values: [DatabaseValue]

    /// The rows of a `PGRES_TUPLES_OK` result.
    static func rows(of result: OpaquePointer, names: [String]) -> [PostgresRow] {
        let columns = names.count
        let types = (0..<columns).map { PQftype(result, Int32($0)) }
        return (0..<Int(PQntuples(result))).map { r in
            PostgresRow(names: names, values: (0..<columns).map { c in
                guard PQgetisnull(result, Int32(r), Int32(c)) == 0, let text = PQgetvalue(result, Int32(r), Int32(c)) else { return .null }
                return value(text, length: Int(PQgetlength(result, Int32(r), Int32(c))), type: types[c])
            })
        }
    }

    /// `int2`, `int4`, `int8` and `numeric` (OIDs 21, 23, 20, 1700) as
    /// integers when whole, `float4`, `float8` and other `numeric` (700,
    /// 701) as reals, `bool` (16) as 1 or 0, `bytea` (17, hex output) as
    /// bytes, anything else as text.
    private static func value(_ text: UnsafePointer<CChar>, length: Int, type: Oid) -> DatabaseValue {
        let bytes = UnsafeRawBufferPointer(start: text, count: length)
        let string = String(decoding: bytes, as: UTF8.self)
        switch type {
        case 20, 21, 23, 1700, 700, 701:
            if let number = Int64(string) { return number.databaseValue }
            return Double(string).map { $0.databaseValue } ?? string.databaseValue
        case 16:
            return (string == "t" ? 1 : 0 as Int64).databaseValue
        case 17:
            return (ByteaHex.decode(bytes) ?? Data()).databaseValue
        default:
            return string.databaseValue
        }
    }

    func databaseValue(named name: String) -> DatabaseValue? { names.firstIndex(of: name).map { values[$0] } }
    func databaseValue(at index: Int) -> DatabaseValue? { values.indices.contains(index) ? values[index] : nil }
    func columnName(at index: Int) -> String { names.indices.contains(index) ? names[index] : "#\(index)" }

    /// The text of column `name` (nil for NULL or a missing column).
    func text(_ name: String) -> String? { databaseValue(named: name).flatMap { String.fromDatabaseValue($0) } }
    /// The integer of column `name` (nil for NULL, a missing column or text).
    func integer(_ name: String) -> Int64? { databaseValue(named: name).flatMap { Int64.fromDatabaseValue($0) } }
    /// The bytes of column `name` (nil for NULL or a missing column).
    func bytes(_ name: String) -> Data? { databaseValue(named: name).flatMap { Data.fromDatabaseValue($0) } }
}

/// `bytea` in PostgreSQL's hex format: `\x` and two hexadecimal digits a byte.
enum ByteaHex {
    /// The bytes of `\x…`; nil for any other text.
    static func decode(_ text: UnsafeRawBufferPointer) -> Data? {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"), text.count % 2 == 0 else { return nil }
        var data = Data(capacity: (text.count - 2) / 2)
        var i = 2
        while i < text.count {
            guard let high = nibble(text[i]), let low = nibble(text[i + 1]) else { return nil }
            data.append(high << 4 | low)
            i += 2
        }
        return data
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
