import KHOABI
import KHOImage
import KHOLedger
import KHOReplay

/// Why a point of the ledger could not be exported. A failed export leaves
/// no output file.
public enum ExportError: Error, Equatable, CustomStringConvertible {
    /// The point's state could not be read.
    case replay(ReplayError)
    /// The ledger's memory as of the point could not be read.
    case memory(MemoryViewError)
    /// The ledger could not be read.
    case ledger(LedgerError)
    /// The generation has no root FDT to hand over at the point.
    case noRootFDT(generation: Int64, seq: Int64)
    /// The root FDT stored for the generation's handover differs from its
    /// FDT page: the ledger file was altered.
    case alteredRootFDT(generation: Int64, phys: UInt64)
    /// The root FDT as of the point does not decode.
    case rootFDT(generation: Int64, seq: Int64, FDTError)
    /// A kho-v1 generation's tracker is serialized only at its kexec: before
    /// that point there is no handover to export.
    case bitmapTrackerNotSerialized(generation: Int64, seq: Int64)
    /// Nothing is preserved at the point.
    case nothingHandedOver(generation: Int64, seq: Int64)
    /// The root FDT's `preserved-memory-map` is not a page of the machine's memory.
    case badTrackerRoot(UInt64)
    /// No free page is left in memory for a tracker node.
    case noRoomForTracker(nodes: Int)
    /// A preserved block cannot be entered into the tracker.
    case trackerBlock(PreservedBlock, reason: String)
    /// `--base` of the raw image lies above the first exported page.
    case rawBaseAboveMemory(base: UInt64, first: UInt64)
    /// Writing an output file failed.
    case output(ImageError)

    public var description: String {
        switch self {
        case .replay(let error): return error.description
        case .memory(let error): return error.description
        case .ledger(let error): return error.description
        case let .noRootFDT(generation, seq):
            return "generation \(generation) has no root FDT as of seq \(seq): it records no FDT page and has not handed over yet"
        case let .alteredRootFDT(generation, phys):
            return "the root FDT stored for generation \(generation)'s handover was altered in the ledger: it differs from its page at \(hex(phys))"
        case let .rootFDT(generation, seq, error):
            return "the root FDT of generation \(generation) as of seq \(seq) does not decode: \(error)"
        case let .bitmapTrackerNotSerialized(generation, seq):
            return "generation \(generation) is kho-v1: its bitmap tracker is serialized only at its kexec, so nothing is handed over as of seq \(seq); export at the kexec"
        case let .nothingHandedOver(generation, seq):
            return "nothing is handed over at seq \(seq) (generation \(generation)): no block is preserved"
        case .badTrackerRoot(let phys):
            return "the root FDT's preserved-memory-map \(hex(phys)) is not a page of the machine's memory"
        case .noRoomForTracker(let nodes):
            return "no free page left in memory for tracker node \(nodes + 1)"
        case let .trackerBlock(block, reason):
            return "preserved block \(hex(block.phys)) (order \(block.order)) cannot be entered into the tracker: \(reason)"
        case let .rawBaseAboveMemory(base, first):
            return "--base \(hex(base)) lies above the first exported page \(hex(first))"
        case .output(let error):
            return error.description
        }
    }
}
