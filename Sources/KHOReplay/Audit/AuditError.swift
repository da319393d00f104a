import KHOLedger

/// Why an audit could not run (as opposed to the problems it finds).
public enum AuditError: Error, Equatable, CustomStringConvertible {
    /// The ledger has no operations, the scope lies outside it, or a state
    /// as of a point could not be read.
    case replay(ReplayError)
    /// `--generation` names a generation the ledger does not have by the audited point.
    case unknownGeneration(Int64, String)
    /// The ledger could not be read or contradicts itself.
    case ledger(LedgerError)
    /// The memory as of a handover could not be read.
    case memory(MemoryViewError)

    public var description: String {
        switch self {
        case .replay(let error): return error.description
        case let .unknownGeneration(generation, reason): return "generation \(generation) cannot be audited: \(reason)"
        case .ledger(let error): return error.description
        case .memory(let error): return error.description
        }
    }

    /// The row no recording writes that stopped the audit, if that is the error.
    var corruptRow: CorruptRow? {
        switch self {
        case .ledger(.corruptRow(_, let row)), .replay(.ledger(.corruptRow(_, let row))), .memory(.ledger(.corruptRow(_, let row))):
            return row
        default:
            return nil
        }
    }
}
