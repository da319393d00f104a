import Foundation

/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN`: values
/// separated by tabs, rows ended by a newline, NULL as `\N`, and in text a
/// backslash, tab, newline or carriage return escaped with a backslash.
/// ``PostgresConnection/copy(into:columns:_:)`` sends the bytes.
struct CopyText {
    /// The rows so far.
    private(set) var bytes: [UInt8] = []
    private var atRowStart = true

    /// The text of the rows `body` writes.
    static func encode(_ body: (inout CopyText) throws -> Void) rethrows -> [UInt8] {
        var text = CopyText()
        try body(&text)
        return text.bytes
    }

    private mutating func separate() {
        if !atRowStart { bytes.append(UInt8(ascii: "\t")) }
        atRowStart = false
    }

    /// A NULL.
    mutating func null() {
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
    }

    /// An integer (nil: NULL), in decimal.
    mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 20 digits at most, written backwards
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[start...])
        }
    }

    /// A text (nil: NULL), escaped.
    mutating func text(_ value: String?) {
        guard let value else { return null() }
        separate()
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: bytes.append(byte)
            }
        }
    }

    /// Bytes for a `bytea` column (nil: NULL), as `\\x` and hex digits.
    mutating func bytes(_ value: Data?) {
        guard let value else { return null() }
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        value.withUnsafeBytes { data in
            for byte in data {
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 15))
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// Ends the row.
    mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        atRowStart = true
    }
}
