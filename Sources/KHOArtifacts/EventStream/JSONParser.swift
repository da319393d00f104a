import KHOABI

/// A strict JSON parser for one event line (RFC 8259): exact integers,
/// duplicate keys refused, nesting bounded, errors naming the byte offset.
struct JSONParser {
    /// Why a line is not JSON, and where.
    struct Failure: Error, CustomStringConvertible {
        /// 1-based column (byte) where parsing stopped.
        let column: Int
        let reason: String
        var description: String { "not valid JSON at column \(column): \(reason)" }
    }

    /// Arrays and objects nested deeper than this are refused.
    static let maxDepth = 32

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses `bytes` as exactly one JSON value (surrounding whitespace allowed).
    static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected \(parser.shownByte) after the value") }
        return value
    }

    private var shownByte: String {
        guard index < bytes.count else { return "end of line" }
        let byte = bytes[index]
        return byte >= 0x20 && byte < 0x7f ? "'\(Character(Unicode.Scalar(byte)))'" : "byte \(hex(byte))"
    }

    private func failure(_ reason: String) -> Failure { Failure(column: index + 1, reason: reason) }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw failure("the line ends where a value should start (cut off?)") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("unexpected \(shownByte) where a value should start")
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index ..< index + expected.count]) == expected else {
            throw failure("expected \(word)")
        }
        index += expected.count
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
        index += 1
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw failure("expected a quoted key, found \(shownByte)")
            }
            let keyStart = index
            let key = try string()
            guard fields[key] == nil else { throw Failure(column: keyStart + 1, reason: "duplicate key \(key.debugDescription)") }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after key \(key.debugDescription), found \(shownByte)") }
            index += 1
            skipWhitespace()
            fields[key] = try value(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw failure("the line ends inside an object (cut off?)") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
            throw failure("expected ',' or '}' in an object, found \(shownByte)")
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
        while true {
            skipWhitespace()
            values.append(try value(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw failure("the line ends inside an array (cut off?)") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
            throw failure("expected ',' or ']' in an array, found \(shownByte)")
        }
    }

    private mutating func string() throws(Failure) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var run = index
        /// Decodes the bytes from `run` to `end`; invalid UTF-8 is refused at its first byte.
        func flush(_ end: Int) throws(Failure) {
            var parser = Unicode.UTF8.ForwardParser()
            var iterator = bytes[run ..< end].makeIterator()
            var offset = run
            while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid(let encoded):
                    scalars.append(Unicode.UTF8.decode(encoded))
                    offset += encoded.count
                case .emptyInput:
                    return
                case .error:
                    throw Failure(column: offset + 1, reason: "invalid UTF-8 inside a string (byte \(hex(bytes[offset])))")
                }
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                try flush(index)
                index += 1
                return String(scalars)
            }
            if byte < 0x20 { throw failure("control character \(hex(byte)) inside a string") }
            if byte == UInt8(ascii: "\\") {
                try flush(index)
                scalars.append(try escape())
                run = index
                continue
            }
            index += 1
        }
        throw failure("the line ends inside a string (cut off?)")
    }

    private mutating func escape() throws(Failure) -> Unicode.Scalar {
        index += 1
        guard index < bytes.count else { throw failure("the line ends inside an escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0c}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hex4()
            guard (0xd800 ..< 0xdc00).contains(high) else {
                guard let scalar = Unicode.Scalar(high) else { throw failure("lone surrogate \\u\(String(high, radix: 16))") }
                return scalar
            }
            guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw failure("lone surrogate \\u\(String(high, radix: 16))")
            }
            index += 2
            let low = try hex4()
            guard (0xdc00 ..< 0xe000).contains(low), let scalar = Unicode.Scalar(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)) else {
                throw failure("bad surrogate pair")
            }
            return scalar
        default:
            index -= 1
            throw failure("unknown escape \\\(shownByte)")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard bytes.count - index >= 4,
              let value = UInt32(String(decoding: bytes[index ..< index + 4], as: UTF8.self), radix: 16) else {
            throw failure("\\u needs four hex digits")
        }
        index += 4
        return value
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        guard index > digitsStart else { throw failure("a number needs digits") }
        guard bytes[digitsStart] != UInt8(ascii: "0") || index - digitsStart == 1 else {
            throw Failure(column: start + 1, reason: "numbers may not have leading zeros (addresses are \"0x…\" strings)")
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let fraction = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > fraction else { throw failure("a fraction needs digits") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponent = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > exponent else { throw failure("an exponent needs digits") }
        }
        let text = String(decoding: bytes[start ..< index], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .integer(value) }
        return .number(Double(text) ?? .nan)
    }
}
