import GRDB

/// The seqs of a ledger's operations: where its history ends, and the
/// operation a generation or a time ends at.
public enum OpSeqs {
    /// The last operation's seq; nil when the ledger has none.
    public static func last(_ snapshot: LedgerSnapshot) throws -> Int64? {
        try Int64.fetchOne(snapshot.db, sql: "SELECT max(seq) FROM op")
    }

    /// The last operation of `generation`; nil when it has none.
    public static func last(_ snapshot: LedgerSnapshot, generation: Int64) throws -> Int64? {
        try Int64.fetchOne(snapshot.db, sql: "SELECT max(seq) FROM op WHERE generation = ?", arguments: [generation])
    }

    /// The last operation at or before `time`; nil when every operation is later.
    public static func last(_ snapshot: LedgerSnapshot, atOrBefore time: LedgerTime) throws -> Int64? {
        try Int64.fetchOne(snapshot.db, sql: "SELECT max(seq) FROM op WHERE time <= ?", arguments: [time.description])
    }

    /// The time of the first operation, as stored; nil when the ledger has none.
    public static func firstTime(_ snapshot: LedgerSnapshot) throws -> String? {
        try String.fetchOne(snapshot.db, sql: "SELECT min(time) FROM op")
    }

    /// How many operations the ledger holds.
    public static func count(_ snapshot: LedgerSnapshot) throws -> Int {
        try Int.fetchOne(snapshot.db, sql: "SELECT count(*) FROM op") ?? 0
    }
}
