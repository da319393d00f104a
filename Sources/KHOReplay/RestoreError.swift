import KHOABI

/// Why a vmalloc area could not be restored. Every case names where the
/// walk was (chunk index, address) so the user can find it in the image.
public enum RestoreError: Error, Equatable, CustomStringConvertible {
    /// The 16 descriptor bytes could not be read.
    case unreadableDescriptor(phys: UInt64, reason: String)
    /// The descriptor's order is above what the page geometry allows.
    case orderTooLarge(order: Int, maximum: Int)
    /// A chunk pointer is not page aligned.
    case misalignedChunk(index: Int, phys: UInt64)
    /// A chunk page could not be read (outside memory or in a hole).
    case unreadableChunk(index: Int, phys: UInt64, reason: String)
    /// The chunk list returns to a chunk it already visited.
    case chunkCycle(index: Int, phys: UInt64, firstSeenAt: Int)
    /// A block address is not aligned to the descriptor's order.
    case misalignedBlock(chunk: Int, slot: Int, phys: UInt64, order: Int)
    /// The chunks list more pages than `total_pages` (the kernel's first check).
    case tooManyPages(chunk: Int, slot: Int, phys: UInt64, totalPages: UInt32)
    /// A block or chunk page is not preserved at that order (the kernel's
    /// restore of its head page would fail).
    case notPreserved(chunk: Int, slot: Int?, phys: UInt64, order: Int)
    /// A block's data could not be read.
    case unreadableBlock(chunk: Int, slot: Int, phys: UInt64, reason: String)
    /// The chunks list fewer pages than `total_pages` (the kernel's final check).
    case pageCountMismatch(listed: UInt64, totalPages: UInt32)

    public var description: String {
        switch self {
        case let .unreadableDescriptor(phys, reason):
            return "descriptor at \(hex(phys)) cannot be read: \(reason)"
        case let .orderTooLarge(order, maximum):
            return "descriptor order \(order) is above the maximum \(maximum)"
        case let .misalignedChunk(index, phys):
            return "chunk \(index) pointer \(hex(phys)) is not page aligned"
        case let .unreadableChunk(index, phys, reason):
            return "chunk \(index) at \(hex(phys)) cannot be read: \(reason)"
        case let .chunkCycle(index, phys, first):
            return "chunk \(index) at \(hex(phys)) is chunk \(first) again: the chunk list has a cycle"
        case let .misalignedBlock(chunk, slot, phys, order):
            return "chunk \(chunk) entry \(slot): block \(hex(phys)) is not aligned to order \(order)"
        case let .tooManyPages(chunk, slot, phys, total):
            return "chunk \(chunk) entry \(slot) (\(hex(phys))) lists more pages than total_pages \(total)"
        case let .notPreserved(chunk, slot, phys, order):
            let place = slot.map { "chunk \(chunk) entry \($0)" } ?? "chunk \(chunk) page"
            return "\(place): \(hex(phys)) is not preserved at order \(order)"
        case let .unreadableBlock(chunk, slot, phys, reason):
            return "chunk \(chunk) entry \(slot): block \(hex(phys)) cannot be read: \(reason)"
        case let .pageCountMismatch(listed, total):
            return "the chunks list \(listed) pages, the descriptor declares total_pages \(total)"
        }
    }
}
