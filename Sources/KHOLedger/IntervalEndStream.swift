import GRDB

/// The ended rows of one interval table in `to_seq` order, handed to the
/// ops that end them while ``ChainVerifier`` walks the ops in seq order.
///
/// A row whose `to_seq` no op asked for (a seq between or after the ops
/// that end rows, zero, negative) is unclaimed: no op's hash covers it.
struct IntervalEndStream<End> {
    private let cursor: RowCursor
    private let end: (Row) -> End
    private let name: (Row) -> String
    private var next: (toSeq: Int64, end: End, name: String)?

    /// The rows `sql` selects, ordered by their first column, `to_seq`;
    /// `end` decodes a row, `name` names it in a message.
    init(_ db: Database, sql: String, end: @escaping (Row) -> End, name: @escaping (Row) -> String) throws {
        cursor = try Row.fetchCursor(db, sql: sql)
        self.end = end
        self.name = name
        try advance()
    }

    private mutating func advance() throws {
        next = try cursor.next().map { (toSeq: $0[0], end: end($0), name: name($0)) }
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

    init(_ db: Database) throws {
        contents = try IntervalEndStream(db, sql: """
            SELECT to_seq, lineage, phys, from_seq FROM page_content WHERE to_seq IS NOT NULL ORDER BY to_seq
            """, end: { ContentEnd(lineage: $0["lineage"], phys: $0["phys"]) },
            name: { "page_content row (lineage \($0["lineage"] as Int64), phys \(hexAddress($0["phys"])), from_seq \($0["from_seq"] as Int64))" })
        objects = try IntervalEndStream(db, sql: """
            SELECT to_seq, from_seq, kind, name, id FROM object WHERE to_seq IS NOT NULL ORDER BY to_seq
            """, end: { ObjectEnd(fromSeq: $0["from_seq"], kind: $0["kind"], name: $0["name"]) },
            name: { "object row \($0["id"] as Int64)" })
        subtrees = try IntervalEndStream(db, sql: """
            SELECT to_seq, from_seq, direction, name, id FROM subtree WHERE to_seq IS NOT NULL ORDER BY to_seq
            """, end: { SubtreeEnd(fromSeq: $0["from_seq"], direction: $0["direction"], name: $0["name"]) },
            name: { "subtree row \($0["id"] as Int64)" })
    }

    /// The intervals `op` ends: content at its seq; objects and subtrees at
    /// its seq, or for a kexec at the seq after it (the handover ends them).
    mutating func ends(of op: OpRow) throws -> IntervalEnds {
        var ends = IntervalEnds()
        ends.contents = try contents.ends(at: op.seq)
        let closing = op.kind == "kexec" ? op.seq + 1 : op.seq
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
