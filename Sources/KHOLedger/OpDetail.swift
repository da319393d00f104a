import Crypto
import Foundation
import GRDB
import KHOABI

/// One operation with everything it recorded, as `kholedger show` prints it.
public struct OpDetail: Codable, Equatable, Sendable {
    /// A run of tracker changes: `count` blocks of `order` from `phys`.
    public struct Change: Codable, Equatable, Sendable {
        public var action: String
        public var phys: String
        public var order: Int64
        public var count: Int64
    }

    /// A run of an object's frames.
    public struct Extent: Codable, Equatable, Sendable {
        public var firstIndex: Int64
        public var phys: String
        public var order: Int64
        public var count: Int64
    }

    /// A vmalloc chunk page.
    public struct Chunk: Codable, Equatable, Sendable {
        public var index: Int64
        public var phys: String
        public var next: String
        public var entries: Int64
        /// SHA-256 of the page bytes.
        public var sha256: String
    }

    /// An object the op created.
    public struct Object: Codable, Equatable, Sendable {
        public var kind: String
        public var name: String
        public var descriptorPhys: String?
        public var totalPages: Int64?
        public var flags: Int64?
        public var order: Int64?
        public var validTo: Int64?
        public var extents: [Extent]
        public var chunks: [Chunk]
    }

    /// A subtree the op added or found.
    public struct Subtree: Codable, Equatable, Sendable {
        public var direction: String
        public var name: String
        public var phys: String
        public var size: Int64?
        /// The blob decoded, for the kernel's own `kexec-metadata` subtree
        /// (its bytes as recorded when it was added).
        public var kexecMetadata: KexecMetadata?
        /// The blob decoded, for a test module subtree (`kho_test`,
        /// `kho_test0` … `kho_test3`).
        public var testKho: KHOTestFDT.Summary?
    }

    public var op: OpSummary
    public var changes: [Change]
    public var objects: [Object]
    /// Pages whose content this op set.
    public var pagesWritten: Int
    public var subtrees: [Subtree]
}

extension Ledger {
    /// The operation `seq` with its derived rows.
    public func operation(_ seq: Int64) throws(LedgerError) -> OpDetail {
        return try reading { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM op WHERE seq = ?", arguments: [seq]) else {
                let last = try OpSeqs.last(LedgerSnapshot(db: db, path: path))
                throw LedgerError.notFound("no operation \(seq) in \(path) (last seq: \(last.map(String.init) ?? "none"))")
            }
            let rows = try ChainVerifier.rows(of: row, db: db)
            let ends = try Row.fetchAll(db, sql: "SELECT id, to_seq FROM object WHERE from_seq = ? ORDER BY id", arguments: [seq]).map {
                try LedgerRow($0, table: "object").optionalInteger("to_seq")
            }
            return OpDetail(
                op: try OpSummary(row: LedgerRow(row, table: "op", key: "seq")),
                changes: rows.changes.map { .init(action: $0.action, phys: hex($0.run.phys), order: Int64($0.run.order), count: Int64($0.run.count)) },
                objects: zip(rows.objects, ends).map { object, end in
                    OpDetail.Object(
                        kind: object.kind, name: object.name, descriptorPhys: object.descriptorPhys.map(hexAddress),
                        totalPages: object.totalPages, flags: object.flags, order: object.ord, validTo: end,
                        extents: object.extents.map { .init(firstIndex: $0.firstIndex, phys: hex($0.run.phys), order: Int64($0.run.order), count: Int64($0.run.count)) },
                        chunks: object.chunks.map {
                            .init(index: $0.idx, phys: hexAddress($0.phys), next: hexAddress($0.next), entries: $0.entries,
                                  sha256: hexDigits(SHA256.hash(data: $0.bytes)))
                        })
                },
                pagesWritten: rows.contents.count,
                subtrees: rows.subtrees.map { row in
                    .init(direction: row.direction, name: row.name, phys: hexAddress(row.phys), size: row.size,
                          kexecMetadata: row.name == KexecMetadata.subtreeName ? row.blob.flatMap { try? KexecMetadata(bytes: [UInt8]($0)) } : nil,
                          testKho: row.blob.flatMap { KHOTestFDT.summary(subtree: row.name, blob: [UInt8]($0)) })
                })
        }
    }
}

/// `0x…` for a stored address.
func hexAddress(_ value: Int64) -> String { "0x" + String(UInt64(bitPattern: value), radix: 16) }
