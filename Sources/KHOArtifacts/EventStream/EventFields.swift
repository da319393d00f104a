import Foundation
import KHOABI

/// A field of an event line that is missing, of the wrong type or out of
/// range; the reason names the field's path and the bad value.
struct FieldError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

/// Typed, validated access to one JSON object of an event line (the line
/// itself, its `args`, or an entry of a list such as `tracker[2]`).
struct EventFields {
    let fields: [String: JSONValue]
    /// How messages name this object's fields: "" for the line, "args." …
    let path: String

    init(_ value: JSONValue, path: String) throws(FieldError) {
        guard case .object(let fields) = value else {
            throw FieldError("\(path.isEmpty ? "the line" : String(path.dropLast())) must be a JSON object, found \(value.typeName) \(value.shown)")
        }
        self.fields = fields
        self.path = path
    }

    /// Refuses fields outside `known`, naming the first unknown one.
    func checkKnown(_ known: [String], what: String) throws(FieldError) {
        guard let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) else { return }
        let list = known.isEmpty ? "it takes none" : "known: " + known.joined(separator: ", ")
        throw FieldError("unknown field \"\(path)\(unknown)\" for \(what) (\(list))")
    }

    func has(_ name: String) -> Bool { fields[name] != nil }

    private func mismatch(_ name: String, expected: String, found value: JSONValue) -> FieldError {
        FieldError("\(path)\(name): expected \(expected), found \(value.typeName) \(value.shown)")
    }

    /// Throws when the field is absent.
    func require<T>(_ name: String, _ read: (String) throws(FieldError) -> T?) throws(FieldError) -> T {
        guard let value = try read(name) else { throw FieldError("missing field \"\(path)\(name)\"") }
        return value
    }

    /// The string field `name`; a NUL in it is refused (SQLite and C
    /// strings would cut the name short where the hash chain covers it whole).
    func string(_ name: String) throws(FieldError) -> String? {
        guard let value = fields[name] else { return nil }
        guard case .string(let text) = value else { throw mismatch(name, expected: "a string", found: value) }
        if let nul = text.unicodeScalars.firstIndex(of: "\u{0}") {
            let offset = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: nul)
            throw FieldError("\(path)\(name): NUL (\\u0000) at character \(offset + 1) of \(text.debugDescription): text fields cannot hold NUL")
        }
        return text
    }

    /// The string field `name` holding a KHO name, at most ``KHONameLimit/bytes`` long.
    func kernelName(_ name: String) throws(FieldError) -> String? {
        guard let text = try string(name) else { return nil }
        if let excess = KHONameLimit.excess(text.utf8.count) {
            throw FieldError("\(path)\(name): \(String(text.prefix(24)).debugDescription)…: \(excess)")
        }
        return text
    }

    func bool(_ name: String) throws(FieldError) -> Bool? {
        guard let value = fields[name] else { return nil }
        guard case .bool(let flag) = value else { throw mismatch(name, expected: "true or false", found: value) }
        return flag
    }

    /// An integer within `range`.
    func integer(_ name: String, in range: ClosedRange<Int64> = 0 ... Int64.max) throws(FieldError) -> Int64? {
        guard let value = fields[name] else { return nil }
        guard case .integer(let number) = value else { throw mismatch(name, expected: "an integer", found: value) }
        guard range.contains(number) else {
            throw FieldError("\(path)\(name): \(number) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    /// A `"0x…"` hexadecimal string of 1 to 16 digits.
    func address(_ name: String) throws(FieldError) -> UInt64? {
        guard let value = fields[name] else { return nil }
        guard case .string(let text) = value else { throw mismatch(name, expected: "a \"0x…\" hex address string", found: value) }
        guard let address = parseHexAddress(text) else {
            throw FieldError("\(path)\(name): \(text.debugDescription) is not a \"0x…\" hex address of at most 16 digits")
        }
        return address
    }

    /// Base64 bytes (RFC 4648, with padding).
    func bytes(_ name: String) throws(FieldError) -> [UInt8]? {
        guard let text = try string(name) else { return nil }
        guard let data = Data(base64Encoded: text) else {
            throw FieldError("\(path)\(name): \(JSONValue.string(text).shown) is not base64")
        }
        return [UInt8](data)
    }

    /// A list whose entries `entry` reads, each named `name[i]`.
    func list<T>(_ name: String, limit: Int = Int.max, _ entry: (JSONValue, String) throws(FieldError) -> T) throws(FieldError) -> [T]? {
        guard let value = fields[name] else { return nil }
        guard case .array(let values) = value else { throw mismatch(name, expected: "an array", found: value) }
        guard values.count <= limit else { throw FieldError("\(path)\(name): \(values.count) entries, at most \(limit)") }
        var result: [T] = []
        result.reserveCapacity(values.count)
        for (index, value) in values.enumerated() { result.append(try entry(value, "\(path)\(name)[\(index)].")) }
        return result
    }

    /// A nested object.
    func object(_ name: String) throws(FieldError) -> EventFields? {
        guard let value = fields[name] else { return nil }
        return try EventFields(value, path: "\(path)\(name).")
    }
}
