import KHOABI

/// One key fact a step reports (an address, an order, a count of tracker
/// entries), printed by `kholedger simulate`.
public struct ScenarioFact: Hashable, Sendable, CustomStringConvertible {
    public enum Value: Hashable, Sendable {
        case count(Int)
        case address(UInt64)
        /// A byte count, printed with units.
        case bytes(UInt64)
        case text(String)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    static func count(_ name: String, _ value: Int) -> ScenarioFact { .init(name, .count(value)) }
    static func address(_ name: String, _ value: UInt64) -> ScenarioFact { .init(name, .address(value)) }
    static func bytes(_ name: String, _ value: UInt64) -> ScenarioFact { .init(name, .bytes(value)) }
    static func text(_ name: String, _ value: String) -> ScenarioFact { .init(name, .text(value)) }

    /// The value as text: addresses in hex, byte counts with units.
    public var valueText: String {
        switch value {
        case .count(let n): return "\(n)"
        case .address(let phys): return hex(phys)
        case .bytes(let n): return ByteSize.format(n)
        case .text(let text): return text
        }
    }

    /// `name value`.
    public var description: String { "\(name) \(valueText)" }
}

extension ScenarioFact: Encodable {
    /// Encodes the value alone: counts and byte counts as numbers, addresses
    /// as hex strings, text as strings.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .count(let n): try container.encode(n)
        case .bytes(let n): try container.encode(n)
        case .address, .text: try container.encode(valueText)
        }
    }
}
