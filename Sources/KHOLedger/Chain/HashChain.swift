import Crypto
import Foundation
import KHOABI

/// The ledger's hash chain: each op's hash is SHA-256 over the previous op's
/// hash and a canonical encoding of the op row and the rows it created
/// (tracker changes, objects with extents and chunk bytes, page contents,
/// subtrees, boot memory ranges), in a fixed order, and since ``Version/v2``
/// also the generation row a boot starts, the handover a kexec records and
/// the intervals each op ends. The first op's previous hash is 32 zero bytes.
public enum HashChain {
    /// The previous hash of the first op.
    public static let genesis = Data(repeating: 0, count: 32)

    /// What an op's hash covers.
    public enum Version: Sendable {
        /// The op row and the rows it created: ledgers recorded before
        /// generation rows and interval ends were chained.
        case v1
        /// Also its ``OpRows/generation``, ``OpRows/handover`` and ``OpRows/ends``.
        case v2

        /// Whether this version covers every row of `rows`: v1 covers ops
        /// without a generation, a handover or ends, and hashes them as v2 does.
        public func covers(_ rows: OpRows) -> Bool {
            self == .v2 || (rows.generation == nil && rows.handover == nil && rows.ends.isEmpty)
        }
    }

    /// The hash of `rows` following `previous`, as `version` encodes them.
    public static func hash(_ rows: OpRows, previous: Data, version: Version = .v2) -> Data {
        var encoder = CanonicalEncoder()
        encoder.bytes(previous)
        let op = rows.op
        encoder.tag("op")
        encoder.int(op.seq); encoder.int(op.generation)
        encoder.string(op.time); encoder.string(op.kind); encoder.string(op.subject)
        encoder.string(op.args); encoder.string(op.result); encoder.int(op.errno); encoder.string(op.detail)
        for change in rows.changes {
            encoder.tag("change")
            encoder.int(change.part); encoder.string(change.action)
            encoder.layout(change.run, blocks: change.blocks)
        }
        for object in rows.objects {
            encoder.tag("object")
            encoder.string(object.kind); encoder.string(object.name)
            encoder.int(object.descriptorPhys); encoder.int(object.firstChunk); encoder.int(object.totalPages)
            encoder.int(object.flags); encoder.int(object.ord)
            for extent in object.extents {
                encoder.tag("extent")
                encoder.int(extent.firstIndex); encoder.layout(extent.run, blocks: extent.blocks)
            }
            for chunk in object.chunks {
                encoder.tag("chunk")
                encoder.int(chunk.idx); encoder.int(chunk.phys); encoder.int(chunk.next); encoder.int(chunk.entries)
                encoder.bytes(chunk.bytes)
            }
        }
        for content in rows.contents {
            encoder.tag("content")
            encoder.int(content.phys); encoder.bytes(content.hash)
        }
        for subtree in rows.subtrees {
            encoder.tag("subtree")
            encoder.string(subtree.direction); encoder.string(subtree.name)
            encoder.int(subtree.phys); encoder.int(subtree.size); encoder.bytes(subtree.blob)
        }
        for range in rows.bootMemory {
            encoder.tag("boot_memory")
            encoder.string(range.name); encoder.int(range.idx); encoder.int(range.phys); encoder.int(range.size)
        }
        if version == .v2 { encodeLater(rows, into: &encoder) }
        return encoder.finish()
    }

    /// The sections ``Version/v2`` adds.
    private static func encodeLater(_ rows: OpRows, into encoder: inout CanonicalEncoder) {
        if let g = rows.generation {
            encoder.tag("generation")
            encoder.int(g.generation); encoder.int(g.parent); encoder.int(g.lineage); encoder.int(g.bootNumber)
            encoder.string(g.abi); encoder.int(g.pageSize); encoder.int(g.memoryBase); encoder.int(g.memorySize)
            encoder.int(g.bootSeq); encoder.int(g.trackerRoot); encoder.int(g.fdtPhys)
            encoder.string(g.source); encoder.string(g.label); encoder.string(g.machine)
            encoder.string(g.kernel); encoder.string(g.previousRelease); encoder.int(g.kexecCount)
        }
        if let handover = rows.handover {
            encoder.tag("handover")
            encoder.int(handover.kexecSeq); encoder.bytes(handover.rootFDT)
        }
        let ends = rows.ends.canonicalized()
        for end in ends.contents {
            encoder.tag("content_end")
            encoder.int(end.lineage); encoder.int(end.phys)
        }
        for end in ends.objects {
            encoder.tag("object_end")
            encoder.int(end.fromSeq); encoder.string(end.kind); encoder.string(end.name)
        }
        for end in ends.subtrees {
            encoder.tag("subtree_end")
            encoder.int(end.fromSeq); encoder.string(end.direction); encoder.string(end.name)
        }
    }
}

/// Encodes typed, length-prefixed values so that no two different row sets
/// encode alike, then hashes the whole encoding with SHA-256 at once (one
/// large update instead of one per field).
struct CanonicalEncoder {
    private var encoding: [UInt8] = []

    mutating func tag(_ name: String) { string(name) }

    mutating func int(_ value: Int64?) {
        guard let value else { return encoding.append(0) }
        encoding.append(1)
        withUnsafeBytes(of: value.littleEndian) { encoding.append(contentsOf: $0) }
    }

    /// A run as its row stores it: `phys`, `ord` and `count`.
    mutating func run(_ run: BlockRun) {
        int(Int64(bitPattern: run.phys)); int(Int64(run.order)); int(Int64(run.count))
    }

    /// A layout row (``PackedBlocks``): its run, then the list of a packed
    /// row. A run encodes as in schema 1, so chains recorded before packed
    /// rows existed keep their hashes.
    mutating func layout(_ run: BlockRun, blocks: String?) {
        self.run(run)
        if let blocks { tag("blocks"); string(blocks) }
    }

    mutating func string(_ value: String?) {
        guard var text = value else { return encoding.append(0) }
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    mutating func bytes(_ value: Data?) {
        guard let value else { return encoding.append(0) }
        value.withUnsafeBytes { append($0) }
    }

    /// A present value: marker 1, its length as a little-endian Int64, its bytes.
    private mutating func append(_ value: UnsafeRawBufferPointer) {
        encoding.append(1)
        withUnsafeBytes(of: Int64(value.count).littleEndian) { encoding.append(contentsOf: $0) }
        encoding.append(contentsOf: value)
    }

    consuming func finish() -> Data { Data(SHA256.hash(data: encoding)) }
}
