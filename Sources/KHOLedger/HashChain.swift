import Crypto
import Foundation

/// The ledger's hash chain: each op's hash is SHA-256 over the previous op's
/// hash and a canonical encoding of the op row and the rows it created
/// (tracker changes, objects with extents and chunk bytes, page contents,
/// subtrees, boot memory ranges), in a fixed order. The first op's previous hash is 32 zero bytes.
public enum HashChain {
    /// The previous hash of the first op.
    public static let genesis = Data(repeating: 0, count: 32)

    /// The hash of `rows` following `previous`.
    public static func hash(_ rows: OpRows, previous: Data) -> Data {
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
            encoder.int(change.phys); encoder.int(change.ord); encoder.int(change.count)
        }
        for object in rows.objects {
            encoder.tag("object")
            encoder.string(object.kind); encoder.string(object.name)
            encoder.int(object.descriptorPhys); encoder.int(object.firstChunk); encoder.int(object.totalPages)
            encoder.int(object.flags); encoder.int(object.ord)
            for extent in object.extents {
                encoder.tag("extent")
                encoder.int(extent.firstIndex); encoder.int(extent.phys); encoder.int(extent.ord); encoder.int(extent.count)
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
        return encoder.finish()
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
