import KHOABI
import KHOImage
import KHOLedger
import KHOReplay

/// Why a capture could not be imported. Nothing of a failed import stays in
/// the ledger.
public enum ImportError: Error, Equatable, CustomStringConvertible {
    /// The root FDT is unusable or the tracker it points to cannot be walked
    /// (for example because the image does not cover it).
    case walk(HandoverWalkError)
    /// The memory image maps no memory at all.
    case emptyImage
    /// A preserved block is not (wholly) in the image; `missing` is its
    /// first address the image does not map.
    case blockNotInImage(PreservedBlock, missing: UInt64)
    /// A preserved block starts at page frame 0, where the kernel's range
    /// splitter is undefined (`count_trailing_zeros(0)` is −1).
    case blockAtFrameZero(PreservedBlock)
    /// A subtree's blob cannot be read from the image.
    case subtreeBlob(name: String, phys: UInt64, size: UInt64, reason: String)
    /// Two areas to import have the same name.
    case duplicateAreaName(String)
    /// An area's descriptor and chunk list fail the kernel's restore walk.
    case area(name: String, descriptorPhys: UInt64, RestoreError)
    /// Two areas list the same block; the kernel could restore only one of them.
    case sharedBlock(phys: UInt64, area: String, otherArea: String)
    /// The copied debugfs folder is unusable or does not match the handover.
    case debugfs(DebugfsError)
    /// An export's manifest (`--manifest`) is unreadable or does not
    /// describe this capture.
    case manifest(path: String, reason: String)
    /// The image could not be read while recording.
    case image(ImageError)
    /// The ledger could not be opened or written.
    case ledger(LedgerError)

    public var description: String {
        switch self {
        case .walk(let error):
            return "cannot walk the capture: \(error)"
        case .emptyImage:
            return "the memory image maps no memory"
        case let .blockNotInImage(block, missing):
            return "preserved block \(hex(block.phys)) (order \(block.order)) is not in the image: it maps nothing at \(hex(missing))"
        case .blockAtFrameZero(let block):
            return "preserved block \(hex(block.phys)) (order \(block.order)) is at page frame 0, which no kernel can hand over: "
                + "its range splitter is undefined there (count_trailing_zeros(0) is -1)"
        case let .subtreeBlob(name, phys, size, reason):
            return "subtree \(name): its \(size)-byte blob at \(hex(phys)) cannot be read: \(reason)"
        case .duplicateAreaName(let name):
            return "two vmalloc areas are named \"\(name)\"; give each --vmalloc a distinct name"
        case let .area(name, descriptorPhys, error):
            return "vmalloc area \(name) (descriptor \(hex(descriptorPhys))): \(error)"
        case let .sharedBlock(phys, area, otherArea):
            return "vmalloc areas \(otherArea) and \(area) both list block \(hex(phys)); the kernel could restore only one"
        case .debugfs(let error):
            return error.description
        case let .manifest(path, reason):
            return "manifest \(path): \(reason)"
        case .image(let error):
            return "reading the image: \(error)"
        case .ledger(let error):
            return error.description
        }
    }
}
