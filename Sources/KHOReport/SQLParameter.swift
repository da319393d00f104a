/// A value for a named SQL parameter, given as `name=value`: binds `:name`
/// (also `@name` and `$name`).
///
/// A value that is a decimal integer (`42`, `-7`) binds as an INTEGER;
/// anything else, `0x…` addresses included (the views show addresses as
/// `'0x…'` text), binds as TEXT.
public struct SQLParameter: Equatable, Sendable {
    /// The name without its `:`, `@` or `$` prefix.
    public var name: String
    /// The value to bind.
    public var value: SQLValue

    /// A parameter with an explicit value.
    public init(name: String, value: SQLValue) {
        self.name = name
        self.value = value
    }

    /// Parses `name=value`.
    public init(parsing text: String) throws(ReportError) {
        guard let equals = text.firstIndex(of: "=") else { throw .badParameter(text, "expected name=value") }
        var name = String(text[..<equals])
        if let first = name.first, ":@$".contains(first) { name.removeFirst() }
        guard let first = name.first, first.isLetter || first == "_",
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw .badParameter(text, "the name must be letters, digits and _, starting with a letter")
        }
        let raw = String(text[text.index(after: equals)...])
        self.init(name: name, value: Int64(raw).map(SQLValue.integer) ?? .text(raw))
    }
}
