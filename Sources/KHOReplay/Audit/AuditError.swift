/// Why an audit could not run (as opposed to the problems it finds).
public enum AuditError: Error, Equatable, CustomStringConvertible {
    /// The ledger has no operations, or the scope lies outside it.
    case replay(ReplayError)
    /// `--generation` names a generation the ledger does not have by the audited point.
    case unknownGeneration(Int64, String)
    /// The ledger could not be read or contradicts itself.
    case ledger(String)

    public var description: String {
        switch self {
        case .replay(let error): return error.description
        case let .unknownGeneration(generation, reason): return "generation \(generation) cannot be audited: \(reason)"
        case .ledger(let message): return "ledger error: \(message)"
        }
    }
}
