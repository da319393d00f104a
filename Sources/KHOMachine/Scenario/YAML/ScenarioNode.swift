import KHOABI
import Yams

/// One YAML node of a scenario file, with its path and line, read through
/// typed accessors that throw ``ScenarioError`` naming the field.
struct ScenarioNode {
    let node: Node
    /// Dotted path of the node (`steps[3].vmalloc.size`).
    let path: String
    /// Rewrites every scalar read (replaces `{i}` in repeated steps).
    let rewrite: @Sendable (String) -> String

    init(_ node: Node, path: String, rewrite: @escaping @Sendable (String) -> String = { $0 }) {
        self.node = node
        self.path = path
        self.rewrite = rewrite
    }

    var location: ScenarioLocation { ScenarioLocation(path: path, line: node.mark?.line) }

    /// The node a child key leads to.
    func child(_ node: Node, key: String) -> ScenarioNode {
        ScenarioNode(node, path: path.isEmpty ? key : "\(path).\(key)", rewrite: rewrite)
    }

    /// How the node looks, for type errors.
    var shape: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return scalar.string.isEmpty ? "nothing" : "\"\(scalar.string)\""
        case .alias: return "an alias"
        }
    }

    /// True for an empty value (`key:` with nothing after it, or `~`).
    var isNull: Bool { (node.null != nil && node.scalar?.style == .plain) || node.scalar?.string == "" }

    func wrongType(_ expected: String) -> ScenarioError {
        .wrongType(location, expected: expected, found: shape)
    }

    func invalid(_ reason: String) -> ScenarioError {
        .invalidValue(location, value: scalarText ?? shape, reason: reason)
    }

    /// The scalar's text as written (even `~` or `NULL`), nil for other nodes.
    var scalarText: String? { node.scalar.map { rewrite($0.string) } }

    /// The scalar text (any non-empty scalar is acceptable as a string).
    func string() throws(ScenarioError) -> String {
        guard let text = scalarText, !isNull else { throw wrongType("a string") }
        return text
    }

    /// A non-empty name (of an area, blob, subtree, digest, file).
    func name() throws(ScenarioError) -> String {
        let text = try string()
        guard !text.isEmpty, !text.contains("+"), text.first?.isNumber == false else {
            throw invalid("a name must not be empty, start with a digit or contain \"+\"")
        }
        if let excess = KHONameLimit.excess(text.utf8.count) {
            throw .invalidValue(location, value: String(text.prefix(24)) + "…", reason: excess)
        }
        return text
    }

    /// An unsigned integer (decimal or 0x hexadecimal).
    func integer() throws(ScenarioError) -> UInt64 {
        guard node.scalar != nil, !isNull else { throw wrongType("an integer") }
        guard let value = ScenarioNumber.parse(try string()) else { throw wrongType("an integer") }
        return value
    }

    /// An integer that must lie in `range`.
    func integer(in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        let value = try integer()
        guard value <= UInt64(range.upperBound), Int(value) >= range.lowerBound else {
            throw invalid("must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(value)
    }

    /// A byte count with optional unit (see ``ByteSize``).
    func size(pageSize: Int) throws(ScenarioError) -> UInt64 {
        guard node.scalar != nil, !isNull else { throw wrongType("a size") }
        let text = try string()
        do {
            return try ByteSize.parse(text, pageSize: pageSize)
        } catch {
            throw invalid(error.description)
        }
    }

    /// `true` / `false` (also yes/no, on/off).
    func bool() throws(ScenarioError) -> Bool {
        guard let value = node.bool else { throw wrongType("true or false") }
        return value
    }

    /// One of `choices` (compared case-insensitively), returned as written in `choices`.
    func choice(_ choices: [String]) throws(ScenarioError) -> String {
        let text = try string()
        guard let match = choices.first(where: { $0.lowercased() == text.lowercased() }) else {
            throw invalid("must be one of " + choices.joined(separator: ", "))
        }
        return match
    }

    /// The items of a list.
    func list() throws(ScenarioError) -> [ScenarioNode] {
        guard case .sequence(let sequence) = node else { throw wrongType("a list") }
        return sequence.enumerated().map { ScenarioNode($0.element, path: "\(path)[\($0.offset + 1)]", rewrite: rewrite) }
    }

    /// The fields of a mapping (an empty value counts as an empty mapping).
    func fields() throws(ScenarioError) -> FieldReader {
        try FieldReader(self)
    }
}
