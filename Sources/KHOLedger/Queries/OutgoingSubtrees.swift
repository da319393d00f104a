import GRDB

/// An outgoing subtree of the root FDT, as the handover at a point sees it.
public struct OutgoingSubtree: Equatable, Sendable {
    public let name: String
    /// Its blob's first byte.
    public let phys: UInt64
    /// Its blob's size: `blob-size` (kho-v3 and later), else the bytes
    /// recorded when it was added, else 1 (its first page); may be 0 or
    /// negative in a damaged ledger.
    public let bytes: Int64
    /// The operation that added it.
    public let fromSeq: Int64

    /// The outgoing subtrees of `generation` present at seq `seq`, in the order they were added.
    public static func fetchAll(_ snapshot: LedgerSnapshot, generation: Int64, at seq: Int64) throws -> [OutgoingSubtree] {
        try Row.fetchAll(snapshot.db, sql: """
            SELECT id, name, phys, coalesce(size, length(blob), 1) AS bytes, from_seq FROM subtree
            WHERE generation = ? AND direction = 'out' AND from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)
            ORDER BY id
            """, arguments: [generation, seq, seq]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "subtree")
            let phys = try row.address("phys"), bytes = try row.integer("bytes")
            return OutgoingSubtree(name: try row.text("name"), phys: phys, bytes: bytes, fromSeq: try row.integer("from_seq"))
        }
    }
}
