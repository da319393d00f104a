import Yams

/// Reads the fields of one YAML mapping: each field is asked for by name,
/// and ``finish()`` rejects every key nobody asked for, so a misspelt field
/// is an error instead of being ignored.
struct FieldReader {
    let owner: ScenarioNode
    private var values: [(key: String, line: Int?, node: ScenarioNode)] = []
    /// Every key asked for, present or not: the known keys of this mapping.
    private var asked: [String] = []

    init(_ owner: ScenarioNode) throws(ScenarioError) {
        self.owner = owner
        if owner.isNull { return }
        guard case .mapping(let mapping) = owner.node else { throw owner.wrongType("a mapping") }
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw owner.child(key, key: "?").wrongType("a field name") }
            values.append((name, key.mark?.line, owner.child(value, key: name)))
        }
    }

    /// The keys present, in file order.
    var keys: [String] { values.map(\.key) }

    /// The field, or nil when absent.
    mutating func optional(_ key: String) -> ScenarioNode? {
        asked.append(key)
        return values.first { $0.key == key }?.node
    }

    /// The field; throws ``ScenarioError/missingField(_:field:)`` when
    /// absent, or ``ScenarioError/unknownField(_:field:suggestion:)`` when
    /// an unknown key present looks like a misspelling of it.
    mutating func required(_ key: String) throws(ScenarioError) -> ScenarioNode {
        if let node = optional(key) { return node }
        if let typo = values.first(where: { !asked.contains($0.key) && NearestName.suggestion(for: $0.key, among: [key]) != nil }) {
            throw .unknownField(ScenarioLocation(path: owner.path, line: typo.line ?? owner.location.line),
                                field: typo.key, suggestion: key)
        }
        throw .missingField(owner.location, field: key)
    }

    /// Exactly one of `keys`: its name and node. Throws when none or several are present.
    mutating func oneOf(_ keys: [String]) throws(ScenarioError) -> (key: String, node: ScenarioNode) {
        let present = keys.compactMap { key in optional(key).map { (key: key, node: $0) } }
        guard present.count == 1 else {
            if present.isEmpty { throw .missingChoice(owner.location, fields: keys) }
            throw owner.invalid("give only one of " + keys.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        return present[0]
    }

    /// Throws for the first key that was never asked for.
    func finish() throws(ScenarioError) {
        for (key, line, _) in values where !asked.contains(key) {
            let location = ScenarioLocation(path: owner.path, line: line ?? owner.location.line)
            throw .unknownField(location, field: key, suggestion: NearestName.suggestion(for: key, among: asked))
        }
    }
}
