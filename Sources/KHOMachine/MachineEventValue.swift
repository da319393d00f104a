extension MachineEvent {
    /// A call argument's value, typed as the call takes it: the recorder and
    /// the event stream read it as it is, not by parsing text back.
    public enum Value: Hashable, Sendable, CustomStringConvertible {
        /// A physical address (`0x…`).
        case address(UInt64)
        /// A count, size, order or offset (``count(_:)`` makes one of any integer).
        case number(UInt64)
        /// A yes/no option.
        case flag(Bool)
        /// A count the call did not get (printed `-`; `null` in an event line).
        case none
        /// Text: a release name, a warning, an error.
        case text(String)

        /// A count of any integer type.
        public static func count(_ value: some BinaryInteger) -> Value { .number(UInt64(value)) }

        /// `0x1000`, `4096`, `true`, `-`, the text.
        public var description: String {
            switch self {
            case .address(let phys): return "0x" + String(phys, radix: 16)
            case .number(let number): return "\(number)"
            case .flag(let flag): return "\(flag)"
            case .none: return "-"
            case .text(let text): return text
            }
        }

        /// An address's or a count's value.
        public var integer: UInt64? {
            switch self {
            case .address(let value), .number(let value): return value
            default: return nil
            }
        }
    }
}
