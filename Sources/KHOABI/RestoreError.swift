/// Why a vmalloc area could not be restored. Every case names where the
/// walk was (chunk index, address) so the user can find it in the image.
public enum RestoreError: Error, Equatable, CustomStringConvertible {
    /// The 16 descriptor bytes could not be read.
    case unreadableDescriptor(phys: UInt64, reason: String)
    /// Descriptor bytes were given, but not exactly 16 of them.
    case descriptorLength(Int)
    /// A chunk pointer is not page aligned.
    case misalignedChunk(index: Int, phys: UInt64)
    /// A chunk page could not be read (outside memory or in a hole).
    case unreadableChunk(index: Int, phys: UInt64, reason: String)
    /// The chunk list returns to a chunk it already visited.
    case chunkCycle(index: Int, phys: UInt64, firstSeenAt: Int)
    /// The chunks list more pages than `total_pages` (the kernel's first check).
    case tooManyPages(chunk: Int, slot: Int, phys: UInt64, totalPages: UInt32)
    /// `kho_restore_pages` of a block (`slot`) or of the chunk page itself
    /// (`slot` nil) returned NULL: a head page without KHO magic (never
    /// preserved, or already restored — also when the chunks list it
    /// twice), or, on kho-v1/v2 kernels, a stored order above MAX_PAGE_ORDER.
    case notRestorable(chunk: Int, slot: Int?, failure: PageRestoreFailure)
    /// A block's data could not be read.
    case unreadableBlock(chunk: Int, slot: Int, phys: UInt64, reason: String)
    /// The chunks list fewer pages than `total_pages` (the kernel's final check).
    case pageCountMismatch(listed: UInt64, totalPages: UInt32)
    /// `total_pages` is 0: the kernel cannot reserve a vmalloc range of size
    /// 0 (`__get_vm_area_node` fails), so the restore returns NULL after
    /// the walk — chunk pages it listed are restored and freed all the same.
    case emptyArea
    /// The consumer of the restored bytes (a file being written) failed.
    case outputFailed(reason: String)

    public var description: String {
        switch self {
        case let .unreadableDescriptor(phys, reason):
            return "descriptor at \(hex(phys)) cannot be read: \(reason)"
        case .descriptorLength(let count):
            return "a kho_vmalloc descriptor is \(VmallocDescriptor.size) bytes, got \(count)"
        case let .misalignedChunk(index, phys):
            return "chunk \(index) pointer \(hex(phys)) is not page aligned"
        case let .unreadableChunk(index, phys, reason):
            return "chunk \(index) at \(hex(phys)) cannot be read: \(reason)"
        case let .chunkCycle(index, phys, first):
            return "chunk \(index) at \(hex(phys)) is chunk \(first) again: the chunk list has a cycle"
        case let .tooManyPages(chunk, slot, phys, total):
            return "chunk \(chunk) entry \(slot) (\(hex(phys))) lists more pages than total_pages \(total)"
        case let .notRestorable(chunk, slot, failure):
            return "\(place(chunk, slot)): \(failure)"
        case let .unreadableBlock(chunk, slot, phys, reason):
            return "chunk \(chunk) entry \(slot): block \(hex(phys)) cannot be read: \(reason)"
        case let .pageCountMismatch(listed, total):
            return "the chunks list \(listed) pages, the descriptor declares total_pages \(total)"
        case .emptyArea:
            return "total_pages is 0: the kernel cannot map an empty area (NULL)"
        case .outputFailed(let reason):
            return "writing the restored bytes failed: \(reason)"
        }
    }

    /// `chunk C entry S` for a block, `chunk C page` for the chunk page itself.
    private func place(_ chunk: Int, _ slot: Int?) -> String {
        slot.map { "chunk \(chunk) entry \($0)" } ?? "chunk \(chunk) page"
    }
}
