import GRDB

/// The intervals one op ends: the rows whose `to_seq` it sets.
///
/// A write ends the content it replaces or zeroes, a KHO boot the content
/// its kexec scrubbed; an unpreserve, a `vfree` or a `remove_subtree` ends
/// its object or subtree; a kexec ends its generation's open objects and
/// subtrees (their `to_seq` is the seq after the kexec). Each list is kept
/// in one canonical order (``canonicalized()``), as recorder and verifier
/// find them in different orders.
public struct IntervalEnds: Equatable, Sendable {
    /// `page_content` rows, by lineage and page.
    public var contents: [ContentEnd] = []
    /// `object` rows.
    public var objects: [ObjectEnd] = []
    /// `subtree` rows.
    public var subtrees: [SubtreeEnd] = []

    public init() {}

    public var isEmpty: Bool { contents.isEmpty && objects.isEmpty && subtrees.isEmpty }

    /// The same ends in canonical order: numbers ascending, names by their UTF-8 bytes.
    public func canonicalized() -> IntervalEnds {
        var ends = self
        ends.contents.sort { ($0.lineage, $0.phys) < ($1.lineage, $1.phys) }
        ends.objects.sort { precedes(($0.fromSeq, $0.kind, $0.name), ($1.fromSeq, $1.kind, $1.name)) }
        ends.subtrees.sort { precedes(($0.fromSeq, $0.direction, $0.name), ($1.fromSeq, $1.direction, $1.name)) }
        return ends
    }
}

/// Whether `a` sorts before `b`: by seq, then each name by its UTF-8 bytes
/// (as SQLite's BINARY collation, not Swift's Unicode ordering).
private func precedes(_ a: (Int64, String, String), _ b: (Int64, String, String)) -> Bool {
    if a.0 != b.0 { return a.0 < b.0 }
    if !a.1.utf8.elementsEqual(b.1.utf8) { return a.1.utf8.lexicographicallyPrecedes(b.1.utf8) }
    return a.2.utf8.lexicographicallyPrecedes(b.2.utf8)
}

/// A `page_content` interval that ends.
public struct ContentEnd: Equatable, Sendable {
    public var lineage: Int64
    public var phys: Int64

    public init(lineage: Int64, phys: Int64) {
        self.lineage = lineage
        self.phys = phys
    }
}

/// An `object` interval that ends, named by the op that started it.
public struct ObjectEnd: Equatable, Sendable {
    public var fromSeq: Int64
    public var kind: String
    public var name: String

    public init(fromSeq: Int64, kind: String, name: String) {
        self.fromSeq = fromSeq
        self.kind = kind
        self.name = name
    }
}

/// A `subtree` interval that ends, named by the op that started it.
public struct SubtreeEnd: Equatable, Sendable {
    public var fromSeq: Int64
    public var direction: String
    public var name: String

    public init(fromSeq: Int64, direction: String, name: String) {
        self.fromSeq = fromSeq
        self.direction = direction
        self.name = name
    }
}

extension ContentEnd {
    /// The end of `row`, a row with `lineage` and `phys`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(lineage: try row.integer("lineage"), phys: try row.integer("phys"))
    }
}

extension ObjectEnd {
    /// The end of `row`, a row with `from_seq`, `kind` and `name`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(fromSeq: try row.integer("from_seq"), kind: try row.text("kind"), name: try row.text("name"))
    }

    /// The ends of the `object` rows `statement` updates (`RETURNING id, from_seq, kind, name`).
    static func returned(by statement: Statement, _ arguments: StatementArguments) throws -> [ObjectEnd] {
        try Row.fetchAll(statement, arguments: arguments).map { try ObjectEnd(LedgerRow($0, table: "object")) }
    }
}

extension SubtreeEnd {
    /// The end of `row`, a row with `from_seq`, `direction` and `name`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(fromSeq: try row.integer("from_seq"), direction: try row.text("direction"), name: try row.text("name"))
    }

    /// The ends of the `subtree` rows `statement` updates (`RETURNING id, from_seq, direction, name`).
    static func returned(by statement: Statement, _ arguments: StatementArguments) throws -> [SubtreeEnd] {
        try Row.fetchAll(statement, arguments: arguments).map { try SubtreeEnd(LedgerRow($0, table: "subtree")) }
    }
}
