/// The one rule for untrusted text (names from captures, event streams and
/// ledgers) in text output: control characters are written as escapes —
/// C0 and DEL as `\xHH`, C1 as `\u{HH}` — so that a name can never end a
/// line, forge the next one or send a terminal escape sequence. Everything
/// else, backslashes included, is kept as it is.
extension String {
    /// The text with its control characters escaped.
    var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.isControl) else { return self }
        var escaped = ""
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0x00 ..< 0x20, 0x7f: escaped += "\\x" + Self.hexDigits(scalar.value, width: 2)
            case 0x80 ..< 0xa0: escaped += "\\u{" + Self.hexDigits(scalar.value, width: 2) + "}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f ..< 0xa0).contains(scalar.value)
    }

    private static func hexDigits(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
}
