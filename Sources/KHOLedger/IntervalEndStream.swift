import GRDB

/// The ended rows of one interval table in `to_seq` order, handed to the
/// ops that end them while ``ChainVerifier`` walks the ops in seq order.
///
/// A row whose `to_seq` no op asked for (a seq between or after the ops
/// that end rows, zero, negative) is unclaimed: no op's hash covers it.
struct IntervalEndStream<End> {
    private let cursor: RowCursor
    private let table: String
    private let key: String
    private let end: (LedgerRow<Row>) throws -> End
    private var next: (toSeq: Int64, end: End, name: String)?

    /// The rows of `table` (named by its columns `key`) that `sql` selects,
    /// ordered by `to_seq`; `end` decodes a row.
    init(_ db: Database, sql: String, table: String, key: String, end: @escaping (LedgerRow<Row>) throws -> End) throws {
        cursor = try Row.fetchCursor(db, sql: sql)
        self.table = table
        self.key = key
        self.end = end
        try advance()
    }

    private mutating func advance() throws {
        next = try cursor.next().map { columns in
            let row = LedgerRow(columns, table: table, key: key)
            return (toSeq: try row.integer("to_seq"), end: try end(row), name: "\(table) row \(row.name)")
        }
    }

    /// The rows ending at `seq`; asked in non-decreasing order of `seq`.
    mutating func ends(at seq: Int64) throws -> [End] {
        if let next, next.toSeq < seq { throw UnclaimedEnd(description: "\(next.name): to_seq \(next.toSeq) is no operation's end") }
        var ends: [End] = []
        while let next, next.toSeq == seq {
            ends.append(next.end)
            try advance()
        }
        return ends
    }

    /// Throws for a row left after the last op asked.
    func requireExhausted(after seq: Int64) throws {
        if let next { throw UnclaimedEnd(description: "\(next.name): to_seq \(next.toSeq) is after the last operation (\(seq))") }
    }
}

/// An ended interval row no op ends: no op's hash covers its `to_seq`.
struct UnclaimedEnd: Error {
    /// The table, the row and its `to_seq`, in one line.
    let description: String
}

/// The three streams of ended intervals a chain verification walks.
struct IntervalEndStreams {
    private var contents: IntervalEndStream<ContentEnd>
    private var objects: IntervalEndStream<ObjectEnd>
    private var subtrees: IntervalEndStream<SubtreeEnd>

    /// The rows ended by the ops after `last`; when nil, every ended row
    /// (one whose `to_seq` is zero or negative too, which no op claims).
    init(_ db: Database, after last: OpRow? = nil) throws {
        let contentFloor = last.map { "AND to_seq > \($0.seq)" } ?? ""
        let closingFloor = last.map { "AND to_seq > \(Self.closingSeq(of: $0))" } ?? ""
        contents = try IntervalEndStream(db, sql: """
            SELECT to_seq, lineage, phys, from_seq FROM page_content WHERE to_seq IS NOT NULL \(contentFloor) ORDER BY to_seq
            """, table: "page_content", key: "lineage, phys, from_seq", end: ContentEnd.init)
        objects = try IntervalEndStream(db, sql: """
            SELECT to_seq, from_seq, kind, name, id FROM object WHERE to_seq IS NOT NULL \(closingFloor) ORDER BY to_seq
            """, table: "object", key: "id", end: ObjectEnd.init)
        subtrees = try IntervalEndStream(db, sql: """
            SELECT to_seq, from_seq, direction, name, id FROM subtree WHERE to_seq IS NOT NULL \(closingFloor) ORDER BY to_seq
            """, table: "subtree", key: "id", end: SubtreeEnd.init)
    }

    /// The `to_seq` of the objects and subtrees `op` ends: its seq, or for a
    /// kexec the seq after it (the handover ends them).
    static func closingSeq(of op: OpRow) -> Int64 { op.kind == "kexec" ? op.seq + 1 : op.seq }

    /// The intervals `op` ends: content at its seq; objects and subtrees at
    /// its ``closingSeq(of:)``.
    mutating func ends(of op: OpRow) throws -> IntervalEnds {
        var ends = IntervalEnds()
        ends.contents = try contents.ends(at: op.seq)
        let closing = Self.closingSeq(of: op)
        ends.objects = try objects.ends(at: closing)
        ends.subtrees = try subtrees.ends(at: closing)
        return ends
    }

    /// Throws for a row no op ended.
    func requireExhausted(after seq: Int64) throws {
        try contents.requireExhausted(after: seq)
        try objects.requireExhausted(after: seq)
        try subtrees.requireExhausted(after: seq)
    }
}
