import KHOABI
import KHOReplay

/// The JSON shape of `kholedger state`; its item shapes are shared with
/// `kholedger diff`. Addresses are `0x…` strings, sizes plain byte counts.
struct StateDocument: Encodable {
    struct Block: Encodable {
        var phys: String
        var order: Int

        init(_ block: PreservedBlock) {
            phys = hex(block.phys)
            order = block.order
        }
    }

    struct Area: Encodable {
        var name: String
        var kind: String
        var descriptorPhys: String
        var firstChunk: String
        var totalPages: UInt64
        var order: Int
        var flags: UInt16
        var chunks: Int
        var bytes: UInt64
        var fromSeq: Int64

        init(_ area: AsOfState.Area, pageSize: Int) {
            name = area.name
            kind = area.kind.rawValue
            descriptorPhys = hex(area.descriptorPhys)
            firstChunk = hex(area.firstChunk)
            totalPages = area.totalPages
            order = area.order
            flags = area.flags
            chunks = area.chunks
            bytes = area.totalPages * UInt64(pageSize)
            fromSeq = area.fromSeq
        }
    }

    struct Object: Encodable {
        var kind: String
        var name: String
        var phys: String
        var totalPages: UInt64
        var bytes: UInt64
        var fromSeq: Int64

        init(_ object: AsOfState.Object, pageSize: Int) {
            kind = object.kind.rawValue
            name = object.name
            phys = hex(object.phys)
            totalPages = object.totalPages
            bytes = object.totalPages * UInt64(pageSize)
            fromSeq = object.fromSeq
        }
    }

    struct Subtree: Encodable {
        var direction: String
        var name: String
        var phys: String
        var size: UInt64?
        var blobSha256: String?
        var fromSeq: Int64

        init(_ subtree: AsOfState.Subtree) {
            direction = subtree.direction.rawValue
            name = subtree.name
            phys = hex(subtree.phys)
            size = subtree.size
            blobSha256 = subtree.blobSHA256
            fromSeq = subtree.fromSeq
        }
    }

    struct Totals: Encodable {
        var memoryBytes: UInt64
        var preservedBlocks: Int
        var preservedBytes: UInt64
        var unpreservedBytes: UInt64
        var areas: Int
        var areaBytes: UInt64
        var objects: Int
        var objectBytes: UInt64
        var subtrees: Int
    }

    var seq: Int64
    var generation: Int64
    var lineage: Int64
    var pageSize: Int
    var memoryBase: String
    var memorySize: UInt64
    var totals: Totals
    var preserved: [Block]
    var areas: [Area]
    var objects: [Object]
    var subtrees: [Subtree]

    init(_ state: AsOfState) {
        let pageSize = state.geometry.pageSize
        seq = state.seq
        generation = state.generation
        lineage = state.lineage
        self.pageSize = pageSize
        memoryBase = hex(state.memoryBase)
        memorySize = state.memorySize
        totals = Totals(memoryBytes: state.memorySize, preservedBlocks: state.preserved.count, preservedBytes: state.preservedBytes,
                        unpreservedBytes: state.unpreservedBytes, areas: state.areas.count, areaBytes: state.areaBytes,
                        objects: state.objects.count, objectBytes: state.objectBytes, subtrees: state.subtrees.count)
        preserved = state.preserved.map(Block.init)
        areas = state.areas.map { Area($0, pageSize: pageSize) }
        objects = state.objects.map { Object($0, pageSize: pageSize) }
        subtrees = state.subtrees.map(Subtree.init)
    }
}
