/// A `check` step: reads bytes of an area, a restored memfd file or
/// physical memory and asserts them; a mismatch fails the run.
public struct ScenarioCheck: Hashable, Sendable {
    /// What is read.
    public enum Target: Hashable, Sendable, CustomStringConvertible {
        /// A vmalloc area of the current generation.
        case area(String)
        /// A file rebuilt by `memfd_restore`.
        case file(String)
        /// Physical memory.
        case memory(ScenarioAddress)

        public var description: String {
            switch self {
            case .area(let name), .file(let name): return name
            case .memory(let address): return address.description
            }
        }
    }

    /// What the bytes must be.
    public enum Assertion: Hashable, Sendable {
        /// The SHA-256 of the range: 64 hex digits, or the name of a recorded digest.
        case sha256(String)
        /// The range starts with exactly these bytes (the length is theirs).
        case bytes([UInt8])
        /// Every byte of the range is zero.
        case zero
    }

    public var target: Target
    public var offset: UInt64
    /// Bytes to read; nil means to the end of the area or file (required
    /// for physical memory unless the address is a name with a known size).
    public var length: UInt64?
    /// Nil when the check only records a digest.
    public var assertion: Assertion?
    /// Records the range's SHA-256 under this name for later checks.
    public var record: String?

    static func read(from fields: inout FieldReader, pageSize: Int) throws(ScenarioError) -> ScenarioCheck {
        let (key, node) = try fields.oneOf(["area", "file", "blob", "phys"])
        let target: Target
        switch key {
        case "area": target = .area(try node.name())
        case "file": target = .file(try node.name())
        default: target = .memory(try node.address())
        }
        let offset = try fields.optional("offset")?.size(pageSize: pageSize) ?? 0
        var length = try fields.optional("length")?.size(pageSize: pageSize)
        let record = try fields.optional("record")?.name()
        var assertion: Assertion?
        let sha = fields.optional("sha256"), text = fields.optional("text"), hexText = fields.optional("hex")
        let zero = fields.optional("zero")
        let given = [sha, text, hexText, zero].compactMap { $0 }
        guard given.count <= 1 else { throw fields.owner.invalid("give one of sha256:, text:, hex:, zero:") }
        if let sha { assertion = .sha256(try sha.string()) }
        if let text { assertion = .bytes(Array(try text.string().utf8)) }
        if let hexText { assertion = .bytes(try hexText.hexBytes()) }
        if let zero {
            guard try zero.bool() else { throw zero.invalid("only zero: true is meaningful") }
            assertion = .zero
        }
        if case .bytes(let bytes) = assertion {
            guard length == nil || length == UInt64(bytes.count) else {
                throw fields.owner.invalid("length: differs from the length of the text or hex given")
            }
            length = UInt64(bytes.count)
        }
        guard assertion != nil || record != nil else {
            throw .missingChoice(fields.owner.location, fields: ["sha256", "text", "hex", "zero", "record"])
        }
        return ScenarioCheck(target: target, offset: offset, length: length, assertion: assertion, record: record)
    }
}
