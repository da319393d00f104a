import KHOABI
import KHOMachine

/// Preserved blocks as a finding's message names them: `1 block (4 KiB) at
/// 0x… order 0`, `3 blocks (12 KiB), first 0x… order 0`.
struct AuditBlocks: CustomStringConvertible {
    private(set) var blocks: [PreservedBlock] = []
    let geometry: PageGeometry

    init(geometry: PageGeometry) { self.geometry = geometry }

    mutating func append(_ block: PreservedBlock) { blocks.append(block) }

    var first: PreservedBlock? { blocks.first }

    /// Bytes the blocks cover (at most 2^64 - 1: a damaged ledger's blocks may cover more).
    var bytes: UInt64 {
        blocks.reduce(0) { total, block in
            let (sum, overflow) = total.addingReportingOverflow(geometry.bytes(order: block.order))
            return overflow ? .max : sum
        }
    }

    var description: String {
        guard let first else { return "no blocks" }
        let named = "\(hex(first.phys)) order \(first.order)"
        let size = ByteSize.format(bytes)
        return blocks.count == 1 ? "1 block (\(size)) at \(named)" : "\(blocks.count) blocks (\(size)), first \(named)"
    }
}
