/// One JSON value of an event line, as parsed by ``JSONParser``.
///
/// Integers stay exact (`integer`); only literals with a fraction or an
/// exponent, or beyond the range of `Int64`, become `number`.
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value as an error message shows it: strings quoted, long values cut.
    var shown: String {
        let text: String
        switch self {
        case .null: text = "null"
        case .bool(let value): text = "\(value)"
        case .integer(let value): text = "\(value)"
        case .number(let value): text = "\(value)"
        case .string(let value): text = value.debugDescription
        case .array(let values): text = "[" + values.map(\.shown).joined(separator: ", ") + "]"
        case .object(let fields): text = "{" + fields.keys.sorted().map { "\($0.debugDescription): …" }.joined(separator: ", ") + "}"
        }
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }

    /// What kind of value this is, for "expected …, found …" messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
