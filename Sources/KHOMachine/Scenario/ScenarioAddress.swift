import KHOABI
import Foundation

/// A physical address in a step: a number (`0x10f000000`) or a name bound
/// by an earlier step, optionally plus an offset (`ser+24`, `blob+0x18`).
public enum ScenarioAddress: Hashable, Sendable, CustomStringConvertible {
    case absolute(UInt64)
    case symbol(String, offset: UInt64)

    /// Parses `NUMBER`, `NAME` or `NAME+OFFSET`; nil when malformed.
    public init?(_ text: String) {
        if let number = ScenarioNumber.parse(text) {
            self = .absolute(number)
            return
        }
        let parts = text.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.first?.isNumber == false else { return nil }
        var offset: UInt64 = 0
        if parts.count == 2 {
            guard let value = ScenarioNumber.parse(parts[1].trimmingCharacters(in: .whitespaces)) else { return nil }
            offset = value
        }
        self = .symbol(name, offset: offset)
    }

    /// The bound name when the address is exactly a name (no offset).
    public var plainName: String? {
        if case .symbol(let name, 0) = self { return name }
        return nil
    }

    public var description: String {
        switch self {
        case .absolute(let phys): return hex(phys)
        case let .symbol(name, offset): return offset == 0 ? name : "\(name)+\(hex(offset))"
        }
    }
}

extension ScenarioNode {
    /// A ``ScenarioAddress``.
    func address() throws(ScenarioError) -> ScenarioAddress {
        guard let address = ScenarioAddress(try string()) else {
            throw invalid("expected an address: a number, a name, or name+offset")
        }
        return address
    }
}
