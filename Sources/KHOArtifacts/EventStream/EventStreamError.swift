/// Why an event stream, or one of its lines, cannot be recorded.
public enum EventStreamError: Error, Equatable, CustomStringConvertible {
    /// Line `line` (1-based) is not a valid event; `reason` names the field and the bad value.
    case badLine(line: Int, reason: String)
    /// The stream cannot be read.
    case unreadable(path: String, reason: String)
    /// The ledger refused the events.
    case ledger(String)

    public var description: String {
        switch self {
        case let .badLine(line, reason): return "line \(line): \(reason)"
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case .ledger(let reason): return reason
        }
    }
}
