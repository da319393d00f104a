import Foundation
import KHOABI
import GRDB
import KHOMachine

/// One operation of the log, as `kholedger log` lists it.
public struct OpSummary: Codable, Equatable, Sendable {
    public var seq: Int64
    public var generation: Int64
    public var time: String
    public var kind: String
    public var subject: String?
    public var result: String
    public var errno: Int64?
    /// The call's arguments as a JSON object text.
    public var args: String
    public var detail: String?
    /// Lowercase hex SHA-256 of the op (the chain link).
    public var hash: String

    init(row: LedgerRow<Row>) throws(CorruptRow) {
        seq = try row.integer("seq")
        generation = try row.integer("generation")
        time = try row.text("time")
        kind = try row.text("kind")
        subject = try row.optionalText("subject")
        result = try row.text("result")
        errno = try row.optionalInteger("errno")
        args = try row.text("args")
        detail = try row.optionalText("detail")
        hash = hexDigits(try row.blob("hash"))
    }
}

/// Which operations `kholedger log` lists.
public struct OpFilter: Sendable {
    public var generation: Int64?
    public var fromSeq: Int64?
    public var toSeq: Int64?
    public var subject: String?
    public var kind: MachineEvent.Kind?
    public var limit: Int?

    public init(generation: Int64? = nil, fromSeq: Int64? = nil, toSeq: Int64? = nil,
                subject: String? = nil, kind: MachineEvent.Kind? = nil, limit: Int? = nil) {
        self.generation = generation
        self.fromSeq = fromSeq
        self.toSeq = toSeq
        self.subject = subject
        self.kind = kind
        self.limit = limit
    }
}

extension Ledger {
    /// The operations matching `filter`, in seq order. A generation the
    /// ledger does not have is ``LedgerError/notFound(_:)``, naming the ones it has.
    public func operations(_ filter: OpFilter) throws(LedgerError) -> [OpSummary] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let generation = filter.generation { clauses.append("generation = ?"); arguments += [generation] }
        if let from = filter.fromSeq { clauses.append("seq >= ?"); arguments += [from] }
        if let to = filter.toSeq { clauses.append("seq <= ?"); arguments += [to] }
        if let subject = filter.subject { clauses.append("subject = ?"); arguments += [subject] }
        if let kind = filter.kind { clauses.append("kind = ?"); arguments += [kind.rawValue] }
        var sql = "SELECT * FROM op"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY seq"
        if let limit = filter.limit { sql += " LIMIT \(max(0, limit))" }
        return try reading { db in
            if let generation = filter.generation,
               try Int64.fetchOne(db, sql: "SELECT generation FROM generation WHERE generation = ?", arguments: [generation]) == nil {
                let last = try Int64.fetchOne(db, sql: "SELECT max(generation) FROM generation")
                throw LedgerError.notFound("generation \(generation) is not in \(path): " + (last.map { "it has generations 0…\($0)" } ?? "it has none"))
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { try OpSummary(row: LedgerRow($0, table: "op", key: "seq")) }
        }
    }
}
