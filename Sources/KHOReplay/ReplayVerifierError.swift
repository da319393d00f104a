import KHOLedger

/// Why a replay verification could not run (as opposed to finding a divergence).
public enum ReplayVerifierError: Error, Equatable, CustomStringConvertible {
    /// The ledger has no generations to replay.
    case emptyLedger
    /// The ledger could not be read.
    case ledger(LedgerError)
    /// The scratch ledger the replay records into could not be written.
    case scratch(String)

    public var description: String {
        switch self {
        case .emptyLedger: return "the ledger has no operations to replay"
        case .ledger(let error): return error.description
        case .scratch(let message): return "cannot record the replay: \(message)"
        }
    }
}
