import KHOABI
import KHOLedger

/// Why a ``MemoryView`` could not be built or could not serve a read.
public enum MemoryViewError: Error, Equatable, CustomStringConvertible {
    /// No generation of the ledger belongs to this lineage.
    case unknownLineage(Int64)
    /// No operation has this seq.
    case unknownSeq(Int64)
    /// The read [phys, phys + count) is not inside the lineage's memory.
    case outsideMemory(phys: UInt64, count: Int, base: UInt64, size: UInt64)
    /// A stored page does not have the lineage's page size.
    case malformedPage(phys: UInt64, seq: Int64, bytes: Int, pageSize: Int)
    /// The stored bytes of the page at `phys` as of `seq` (`page_data` row
    /// `dataID`) do not match the SHA-256 they are stored under: the file
    /// was altered.
    case alteredPage(phys: UInt64, seq: Int64, dataID: Int64)
    /// The ledger could not be read.
    case ledger(LedgerError)

    public var description: String {
        switch self {
        case .unknownLineage(let lineage):
            return "no lineage \(lineage) in the ledger (a lineage is the generation of a cold boot)"
        case .unknownSeq(let seq):
            return "no operation \(seq) in the ledger"
        case let .outsideMemory(phys, count, base, size):
            return "\(hex(phys)) (+\(count) bytes) is outside memory [\(hex(base)), \(hex(base &+ size)))"
        case let .malformedPage(phys, seq, bytes, pageSize):
            return "the page at \(hex(phys)) as of seq \(seq) is stored as \(bytes) bytes, not \(pageSize)"
        case let .alteredPage(phys, seq, dataID):
            return "the page at \(hex(phys)) as of seq \(seq) was altered in the ledger: its bytes (page_data id \(dataID)) "
                + "do not match their SHA-256"
        case .ledger(let error):
            return error.description
        }
    }
}
