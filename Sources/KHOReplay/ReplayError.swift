import KHOLedger

/// Why a replay question (state, restore, diff) could not be answered.
public enum ReplayError: Error, Equatable, CustomStringConvertible {
    /// A point in time that does not parse.
    case badPoint(String)
    /// A point in time outside the ledger's history.
    case pointOutOfRange(String, String)
    /// The ledger has no operations.
    case emptyLedger
    /// No object of that name at that point.
    case notFound(String)
    /// The ledger could not be read, holds a row no recording writes, or
    /// contradicts itself.
    case ledger(LedgerError)
    /// The memory as of a point could not be read.
    case memory(MemoryViewError)

    public var description: String {
        switch self {
        case .badPoint(let text):
            return "cannot read point in time \"\(text)\": use SEQ, gen:G, gen:G+K or a time like 2026-11-25T10:42:00.123Z, 2026-11-25T12:42:00+02:00, \"2026-11-25 10:42:00\" (UTC) or 2026-11-25"
        case let .pointOutOfRange(point, reason): return "point \(point) is outside the ledger: \(reason)"
        case .emptyLedger: return "the ledger has no operations yet"
        case .notFound(let what): return what
        case .ledger(let error): return error.description
        case .memory(let error): return error.description
        }
    }
}
