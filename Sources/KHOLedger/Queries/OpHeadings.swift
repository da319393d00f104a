import GRDB

/// What names an operation in a finding about it — its generation, kind
/// and subject — read leniently: the operation may be what is corrupt, so
/// each value is nil when NULL or not of its type.
public struct OpHeading: Equatable, Sendable {
    public let generation: Int64?
    public let kind: String?
    public let subject: String?

    /// The heading of the operation at `seq`; nil when the ledger has none.
    public static func fetchOne(_ snapshot: LedgerSnapshot, seq: Int64) throws -> OpHeading? {
        try Row.fetchOne(snapshot.db, sql: "SELECT seq, generation, kind, subject FROM op WHERE seq = ?", arguments: [seq]).map { columns in
            let row = LedgerRow(columns, table: "op", key: "seq")
            return OpHeading(generation: try? row.integer("generation"), kind: try? row.text("kind"), subject: try? row.optionalText("subject"))
        }
    }
}
