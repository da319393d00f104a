import KHOABI
import KHOLedger

/// Why a vmalloc area could not be restored from the ledger.
public enum LedgerRestoreError: Error, Equatable, CustomStringConvertible {
    /// The point does not resolve, or no area of that name exists there.
    case replay(ReplayError)
    /// The memory as of the point could not be set up.
    case memory(MemoryViewError)
    /// The ledger could not be read or contradicts itself.
    case ledger(LedgerError)
    /// The restore walk failed: the area's descriptor and chunk pages, as
    /// the ledger holds them, are not what `kho_restore_vmalloc` accepts.
    case restore(area: String, descriptorPhys: UInt64, seq: Int64, RestoreError)

    public var description: String {
        switch self {
        case .replay(let error): return error.description
        case .memory(let error): return error.description
        case .ledger(let error): return error.description
        case let .restore(area, descriptorPhys, seq, error):
            return "area \"\(area)\" (descriptor \(hex(descriptorPhys))) as of seq \(seq): \(error)"
        }
    }
}
