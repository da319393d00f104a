import Crypto
import GRDB

/// The stored bytes of pages (`page_data`), checked against the SHA-256
/// they are stored under.
public enum StoredPages {
    /// The ids of the `page_data` rows whose bytes do not match their hash, in order.
    public static func alteredIDs(_ snapshot: LedgerSnapshot) throws -> [Int64] {
        var altered: [Int64] = []
        try snapshot.db.makeStatement(sql: "SELECT id, hash, bytes FROM page_data ORDER BY id").forEachRow(integers: []) { columns in
            let page = try StoredPage(LedgerRow(columns, table: "page_data"))
            if !page.isIntact { altered.append(page.id) }
        }
        return altered
    }

    /// The first page that held the `page_data` row `id` (the earliest
    /// `page_content` interval over it), or nil when no page holds it.
    public static func firstHolder(of id: Int64, _ snapshot: LedgerSnapshot) throws -> PageHolder? {
        try Row.fetchOne(snapshot.db, sql: """
            SELECT c.lineage, c.phys, c.from_seq, o.generation FROM page_content c JOIN op o ON o.seq = c.from_seq
            WHERE c.data_id = ? ORDER BY c.from_seq LIMIT 1
            """, arguments: [id]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "page_content", key: "lineage, phys, from_seq")
            return PageHolder(phys: try row.address("phys"), fromSeq: try row.integer("from_seq"), generation: try row.integer("generation"))
        }
    }
}

extension StoredPages {
    /// The stored page at `phys` of `lineage` as of `seq`, not yet checked
    /// against its hash; nil for a zero page (no `page_content` interval
    /// covers it): one primary-key lookup.
    public static func page(_ snapshot: LedgerSnapshot, lineage: Int64, phys: UInt64, seq: Int64) throws -> StoredPage? {
        var stored: StoredPage?
        try snapshot.db.cachedStatement(sql: """
            SELECT d.id, d.hash, d.bytes FROM page_content c JOIN page_data d ON d.id = c.data_id
            WHERE c.lineage = ? AND c.phys = ? AND c.from_seq <= ? AND (c.to_seq IS NULL OR c.to_seq > ?)
            ORDER BY c.from_seq DESC LIMIT 1
            """).forEachRow(integers: [lineage, Int64(bitPattern: phys), seq, seq]) { row in
            stored = try StoredPage(LedgerRow(row, table: "page_data"))
        }
        return stored
    }
}

/// A page holding stored bytes from an operation on.
public struct PageHolder: Equatable, Sendable {
    public let phys: UInt64
    /// The operation from which the page holds them.
    public let fromSeq: Int64
    /// That operation's generation.
    public let generation: Int64
}

/// A `page_data` row: a page's bytes and the SHA-256 they are stored under.
public struct StoredPage: Sendable {
    /// The row's id.
    public let id: Int64
    /// The SHA-256 the bytes are stored under.
    public let hash: [UInt8]
    /// The page's bytes.
    public let bytes: [UInt8]

    /// Whether the bytes match the SHA-256 they are stored under (the one
    /// check of a stored page, for every reader).
    public var isIntact: Bool { SHA256.hash(data: bytes).elementsEqual(hash) }

    /// The page of a `page_data` row whose `id`, `hash` and `bytes` are
    /// the row's columns `first`, `first + 1` and `first + 2` (by position:
    /// a page is read without looking up column names).
    public init(_ row: LedgerRow<some StoredColumns>, at first: Int = 0) throws(CorruptRow) {
        id = try row.integer(first)
        hash = try row.bytes(first + 1)
        bytes = try row.bytes(first + 2)
    }
}
