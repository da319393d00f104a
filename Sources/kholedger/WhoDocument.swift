import KHOABI
import KHOLedger
import KHOReplay

/// The JSON shape of `kholedger who`. Addresses are "0x…"; fields an entry
/// lacks are null.
struct WhoDocument: Encodable {
    struct Holder: Encodable {
        var name: String
        var kind: String
        /// `page`, `chunk`, `subtree_blob`, `root_fdt` or `tracker_node`.
        var role: String
        /// The page's index in its object, or the chunk's in its area.
        @NullWhenAbsent var index: Int64?
        var description: String
    }

    struct Block: Encodable {
        var phys: String
        var order: Int
    }

    struct Preserved: Encodable {
        var phys: String
        var order: Int
        var fromSeq: Int64
    }

    struct Content: Encodable {
        var sha256: String
        var fromSeq: Int64
        @NullWhenAbsent var untilSeq: Int64?
        /// The page's first 16 bytes as hex.
        var firstBytes: String
    }

    struct Operation: Encodable {
        var seq: Int64
        var time: String
        var kind: String
        @NullWhenAbsent var subject: String?
        var action: PageHistory.Action
        @NullWhenAbsent var block: Block?
        @NullWhenAbsent var sha256: String?
    }

    struct Generation: Encodable {
        var generation: Int64
        var operations: [Operation]
    }

    struct Interval: Encodable {
        var fromSeq: Int64
        @NullWhenAbsent var untilSeq: Int64?
        var sha256: String
    }

    var page: String
    var pfn: UInt64
    var pageSize: Int
    var lineage: Int64
    var seq: Int64
    var generation: Int64
    var known: Bool
    var heldBy: [Holder]
    var preserved: [Preserved]
    /// The content as of the point; null for a zero page.
    @NullWhenAbsent var content: Content?
    var generations: [Generation]
    var contentHistory: [Interval]

    init(_ history: PageHistory) {
        page = hex(history.page)
        pfn = history.frame
        pageSize = history.geometry.pageSize
        lineage = history.lineage
        seq = history.seq
        generation = history.generation
        known = history.isKnown
        heldBy = history.holders.map(Self.holder)
        preserved = history.preserved.map { Preserved(phys: hex($0.block.phys), order: $0.block.order, fromSeq: $0.fromSeq) }
        content = history.contentAtPoint.map {
            Content(sha256: $0.sha256, fromSeq: $0.fromSeq, untilSeq: $0.untilSeq, firstBytes: Self.firstBytes($0))
        }
        generations = history.generations.map { generation in
            Generation(generation: generation, operations: history.operations.filter { $0.generation == generation }.map {
                Operation(seq: $0.seq, time: $0.time, kind: $0.kind, subject: $0.subject, action: $0.action,
                          block: $0.block.map { Block(phys: hex($0.phys), order: $0.order) }, sha256: $0.sha256)
            })
        }
        contentHistory = history.contents.map { Interval(fromSeq: $0.fromSeq, untilSeq: $0.untilSeq, sha256: $0.sha256) }
    }

    /// The first 16 bytes of a content, as hex.
    static func firstBytes(_ content: PageHistory.Content) -> String { hexDigits(content.bytes.prefix(16)) }

    private static func holder(_ owner: PageOwner) -> Holder {
        let (role, index): (String, Int64?)
        switch owner.role {
        case .page(let page): (role, index) = ("page", page)
        case .chunk(let chunk): (role, index) = ("chunk", chunk)
        case .subtreeBlob: (role, index) = ("subtree_blob", nil)
        case .rootFDT: (role, index) = ("root_fdt", nil)
        case .trackerNode: (role, index) = ("tracker_node", nil)
        }
        return Holder(name: owner.name, kind: owner.kind, role: role, index: index, description: owner.description)
    }
}
