/// How an object's whole extent is filled when it is created (`fill:` of
/// `vmalloc` and `memfd_preserve`): zero, random bytes, one repeated byte,
/// or a text repeated end to end (the last copy cut off).
public enum ScenarioFill: Hashable, Sendable {
    case zero
    case random
    case pattern(UInt8)
    case text(String)

    /// The name used in `fill:`.
    public var name: String {
        switch self {
        case .zero: return "zero"
        case .random: return "random"
        case .pattern: return "pattern"
        case .text: return "text"
        }
    }

    /// `count` bytes of the fill; random bytes come from `random`.
    public func bytes(count: Int, random: inout SplitMix64) -> [UInt8] {
        piece(at: 0, count: count, random: &random)
    }

    /// Bytes `offset ..< offset + count` of the fill, for a fill made piece
    /// by piece: random pieces continue `random`'s sequence, so pieces asked
    /// in order, each but the last a multiple of 8 bytes, join into what
    /// one ``bytes(count:random:)`` returns.
    public func piece(at offset: Int, count: Int, random: inout SplitMix64) -> [UInt8] {
        switch self {
        case .zero: return [UInt8](repeating: 0, count: count)
        case .random: return random.bytes(count)
        case .pattern(let byte): return [UInt8](repeating: byte, count: count)
        case .text(let text):
            // Copies double until they cover the piece: a few large copies, not one step per byte.
            let unit = Array(text.utf8)
            let skip = offset % unit.count
            var bytes = Array(unit[skip...] + unit[..<skip])
            bytes.reserveCapacity(max(count, bytes.count) * 2)
            while bytes.count < count { bytes += bytes }
            return Array(bytes.prefix(count))
        }
    }

    /// Reads `fill:` with its `text:` or `pattern:`; `text:` or `pattern:`
    /// alone imply the fill. Absent: zero.
    static func read(from fields: inout FieldReader) throws(ScenarioError) -> ScenarioFill {
        let text = fields.optional("text")
        let pattern = fields.optional("pattern")
        let implied = text != nil ? "text" : pattern != nil ? "pattern" : "zero"
        let kind = try fields.optional("fill")?.choice(["zero", "random", "pattern", "text"]) ?? implied
        guard text == nil || kind == "text", pattern == nil || kind == "pattern" else {
            throw fields.owner.invalid("text: goes with fill: text and pattern: with fill: pattern, not with fill: \(kind)")
        }
        switch kind {
        case "random": return .random
        case "pattern":
            guard let pattern else { throw .missingField(fields.owner.location, field: "pattern") }
            return .pattern(UInt8(try pattern.integer(in: 0...255)))
        case "text":
            guard let text else { throw .missingField(fields.owner.location, field: "text") }
            let value = try text.string()
            guard !value.isEmpty else { throw text.invalid("the text must not be empty") }
            return .text(value)
        default: return .zero
        }
    }
}
