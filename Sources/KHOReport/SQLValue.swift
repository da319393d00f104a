import Foundation
import KHOABI
import KHOLedger

/// One value of a query result, with SQLite's storage classes.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The value as people read it: integers and reals in decimal, text as
    /// is, a blob as `x'…'` lowercase hex, NULL as the empty string.
    public var text: String {
        switch self {
        case .null: return ""
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let value): return value
        case .blob(let bytes): return "x'" + hexDigits(bytes) + "'"
        }
    }

    /// The value as a JSON literal: numbers as numbers, NULL as `null`,
    /// text as a string, a blob as a string of lowercase hex digits.
    public var json: String {
        switch self {
        case .null: return "null"
        case .integer(let value): return String(value)
        case .real(let value): return value.isFinite ? String(value) : "null"
        case .text(let value): return jsonString(value)
        case .blob(let bytes): return "\"" + hexDigits(bytes) + "\""
        }
    }

    /// The value as an integer when it is one (or a real without a fraction).
    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .real(let value) where value == value.rounded(): return Int64(exactly: value)
        default: return nil
        }
    }

    /// A `'0x…'` address, as the views print them, or an integer.
    public var address: Int64? {
        if case .text(let text) = self, let value = parseHexAddress(text) {
            return Int64(bitPattern: value)
        }
        return integer
    }

    /// The value as a number, when it is one.
    public var number: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        default: return nil
        }
    }
}
