import GRDB

/// The emulated machines of a ledger: a lineage is a cold boot's machine
/// across its kexecs, named by the generation of that cold boot.
public enum Lineages {
    /// The layout of `lineage` as its first generation states it, or nil
    /// when the ledger has no such lineage.
    public static func layout(_ snapshot: LedgerSnapshot, lineage: Int64) throws -> GenerationLayout? {
        try Row.fetchOne(snapshot.db, sql: """
            SELECT generation, page_size, memory_base, memory_size FROM generation WHERE lineage = ? ORDER BY generation LIMIT 1
            """, arguments: [lineage]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "generation", key: "generation")
            let geometry = try row.geometry("page_size")
            return GenerationLayout(geometry: geometry, memory: try GenerationMemory(row, geometry: geometry))
        }
    }

    /// The lineage of the machine that ran operation `seq`, or nil when the
    /// ledger has no such operation.
    public static func lineage(ofSeq seq: Int64, _ snapshot: LedgerSnapshot) throws -> Int64? {
        try Row.fetchOne(snapshot.db, sql: """
            SELECT g.generation, g.lineage FROM op JOIN generation g ON g.generation = op.generation WHERE op.seq = ?
            """, arguments: [seq]).map { columns throws(CorruptRow) in
            try LedgerRow(columns, table: "generation", key: "generation").integer("lineage")
        }
    }

    /// The lineage of the ledger's first generation; nil when it has none.
    public static func first(_ snapshot: LedgerSnapshot) throws -> Int64? {
        try Row.fetchOne(snapshot.db, sql: "SELECT generation, lineage FROM generation ORDER BY generation LIMIT 1").map { columns throws(CorruptRow) in
            try LedgerRow(columns, table: "generation", key: "generation").integer("lineage")
        }
    }

    /// Every lineage with its counts and machine, in order.
    public static func summaries(_ snapshot: LedgerSnapshot) throws -> [LineageSummary] {
        try Row.fetchAll(snapshot.db, sql: """
            SELECT l.lineage, count(*) AS generations,
                   (SELECT machine FROM generation WHERE generation = l.lineage) AS machine,
                   (SELECT count(*) FROM op JOIN generation g ON g.generation = op.generation WHERE g.lineage = l.lineage) AS ops
            FROM generation l GROUP BY l.lineage ORDER BY l.lineage
            """).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "generation", key: "lineage")
            return LineageSummary(lineage: try row.integer("lineage"), generations: Int(try row.integer("generations")),
                                  ops: Int(try row.integer("ops")), machine: try row.optionalText("machine"))
        }
    }

    /// The operations of `lineage` after seq `seq`, the first `limit` of
    /// them in seq order: a batch of its log.
    public static func operations(_ snapshot: LedgerSnapshot, lineage: Int64, after seq: Int64, limit: Int) throws -> [LineageOperation] {
        try Row.fetchAll(snapshot.db, sql: """
            SELECT op.seq, op.kind, op.subject, op.args FROM op JOIN generation g ON g.generation = op.generation
            WHERE g.lineage = ? AND op.seq > ? ORDER BY op.seq LIMIT ?
            """, arguments: [lineage, seq, limit]).map { columns throws(CorruptRow) in
            let op = LedgerRow(columns, table: "op", key: "seq")
            return LineageOperation(seq: try op.integer("seq"), kind: try op.text("kind"), subject: try op.optionalText("subject"),
                                    args: try op.text("args"))
        }
    }
}

/// A lineage: how many generations and operations it has, and the emulated
/// machine of its cold boot.
public struct LineageSummary: Equatable, Sendable {
    /// The generation of its cold boot.
    public let lineage: Int64
    public let generations: Int
    public let ops: Int
    /// The stored configuration of the machine (simulated generations only), as JSON.
    public let machine: String?
}

/// A recorded operation as the call that made it: its kind, subject and `args` JSON.
public struct LineageOperation: Equatable, Sendable {
    public let seq: Int64
    public let kind: String
    public let subject: String?
    public let args: String
}
