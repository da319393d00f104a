import KHOABI

/// Bytes a step writes (`write`, `write_phys`) or compares (`check`):
/// exactly one of `text:`, `hex:`, `random: N`, `pattern: B` with
/// `length: N`, `zero: N`, or `u64: [..]` (little-endian words: numbers or
/// addresses, `name` and `name+offset` like every address field).
public enum ScenarioContent: Hashable, Sendable {
    case text(String)
    case hex([UInt8])
    case random(count: Int)
    case pattern(UInt8, count: Int)
    case zero(count: Int)
    case words([ScenarioAddress])

    /// The bytes; random bytes come from `random`, the words' names are
    /// resolved by `address`.
    func bytes(random: inout SplitMix64, address: (ScenarioAddress) throws(StepFault) -> UInt64) throws(StepFault) -> [UInt8] {
        switch self {
        case .text(let text): return Array(text.utf8)
        case .hex(let bytes): return bytes
        case .random(let count): return random.bytes(count)
        case let .pattern(byte, count): return [UInt8](repeating: byte, count: count)
        case .zero(let count): return [UInt8](repeating: 0, count: count)
        case .words(let words):
            var bytes: [UInt8] = []
            for word in words { bytes.appendLittleEndian(try address(word)) }
            return bytes
        }
    }

    /// The keys that select a content.
    static let keys = ["text", "hex", "random", "pattern", "zero", "u64"]

    /// Reads the content keys (`length:` goes with `pattern:`).
    static func read(from fields: inout FieldReader, pageSize: Int) throws(ScenarioError) -> ScenarioContent {
        let (key, node) = try fields.oneOf(keys)
        let length = fields.optional("length")
        if length != nil, key != "pattern" { throw fields.owner.invalid("length: goes with pattern: only") }
        func count(_ node: ScenarioNode) throws(ScenarioError) -> Int {
            let value = try node.size(pageSize: pageSize)
            guard value <= UInt64(Int32.max) else { throw node.invalid("at most 2 GiB per step") }
            return Int(value)
        }
        switch key {
        case "text": return .text(try node.string())
        case "hex": return .hex(try node.hexBytes())
        case "random": return .random(count: try count(node))
        case "zero": return .zero(count: try count(node))
        case "u64": return .words(try node.list().map { item throws(ScenarioError) in try item.address() })
        default:
            guard let length else { throw .missingField(fields.owner.location, field: "length") }
            return .pattern(UInt8(try node.integer(in: 0...255)), count: try count(length))
        }
    }
}

extension ScenarioNode {
    /// Bytes written as hexadecimal digits (spaces, `:` and a `0x` prefix allowed).
    func hexBytes() throws(ScenarioError) -> [UInt8] {
        var digits = try string().filter { !" :_".contains($0) }
        if digits.lowercased().hasPrefix("0x") { digits.removeFirst(2) }
        guard let bytes = HexBytes.parse(digits) else { throw invalid("expected an even number of hexadecimal digits") }
        return bytes
    }
}
