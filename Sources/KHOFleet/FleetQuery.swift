import Foundation
import GRDB
import KHOReport

extension FleetStore {
    /// The role `fleet sql` and `fleet report` run as: it may read every
    /// table and view of the store and write none.
    public static let readerRole = "kholedger_reader"

    /// Runs one SQL statement read-only and returns its rows: in a `READ
    /// ONLY` transaction, as ``readerRole``, rolled back after, stopped by
    /// the server after `timeout` seconds (nil: no limit).
    ///
    /// `:name` in the SQL (not `::`) is bound to the parameter `name`
    /// (NULL when not given); a parameter the SQL does not use is an error.
    /// Integers come back as integers, `bytea` as blobs, booleans as 1 or
    /// 0, other values as text.
    public func query(_ sql: String, parameters: [SQLParameter] = [], timeout: Int? = 30) throws(FleetError) -> QueryResult {
        try requireSchema()
        let (numbered, values) = try Self.numbered(sql, parameters: parameters)
        return try fleetErrors {
            try connection.execute("BEGIN READ ONLY")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.execute("SET LOCAL ROLE \(Self.readerRole)")
            try connection.execute("SET LOCAL statement_timeout = \((timeout ?? 0) * 1000)")
            // The fleet views join many partitions: JIT compilation would cost more than it saves (about 0.2 s a query).
            try connection.execute("SET LOCAL jit = off")
            let rows = try connection.execute(numbered, values)
            return QueryResult(columns: connection.lastColumnNames, rows: rows.map { $0.values.map(SQLValue.init) })
        }
    }

    /// Runs the fleet report `name` (``FleetReports``) as ``query(_:parameters:timeout:)``
    /// runs SQL; its parameters not given are NULL.
    public func report(_ name: String, parameters: [SQLParameter] = [], timeout: Int? = 30) throws(FleetError) -> QueryResult {
        let report = try FleetReports.named(name)
        let used = Set(Self.parameterNames(in: report.sql))
        let unknown = parameters.map(\.name).filter { !used.contains($0) }
        guard unknown.isEmpty else {
            throw .badParameter(unknown[0], reason: "report \(name) has " + (used.isEmpty ? "no parameters" : "parameters \(used.sorted().joined(separator: ", "))"))
        }
        let all = parameters + used.subtracting(parameters.map(\.name)).sorted().map { SQLParameter(name: $0, value: .null) }
        return try query(report.sql, parameters: all, timeout: timeout)
    }

    /// The `:name` parameters of `sql`, in order of first use, with where
    /// each occurrence is (outside quoted text and identifiers, and not a
    /// `::` cast).
    static func parameters(in sql: String) -> [(name: String, range: Range<String.Index>)] {
        var found: [(name: String, range: Range<String.Index>)] = []
        var i = sql.startIndex
        var quote: Character?
        let wordStart = { (c: Character) in c == "_" || (c.isASCII && c.isLetter) }
        let word = { (c: Character) in wordStart(c) || (c.isASCII && c.isNumber) }
        while i < sql.endIndex {
            let c = sql[i]
            let next = sql.index(after: i)
            if let open = quote {
                if c == open { quote = nil }
                i = next
            } else if c == "'" || c == "\"" {
                quote = c
                i = next
            } else if c == ":", next < sql.endIndex, sql[next] == ":" {
                i = sql.index(after: next)
            } else if c == ":", next < sql.endIndex, wordStart(sql[next]), i == sql.startIndex || !word(sql[sql.index(before: i)]) {
                var end = next
                while end < sql.endIndex, word(sql[end]) { end = sql.index(after: end) }
                found.append((String(sql[next..<end]), i..<end))
                i = end
            } else {
                i = next
            }
        }
        return found
    }

    /// The names of ``parameters(in:)``, each once, in order of first use.
    static func parameterNames(in sql: String) -> [String] {
        var names: [String] = []
        for parameter in parameters(in: sql) where !names.contains(parameter.name) { names.append(parameter.name) }
        return names
    }

    /// `sql` with each `:name` replaced by `$n`, and the values in order.
    static func numbered(_ sql: String, parameters given: [SQLParameter]) throws(FleetError) -> (String, [String?]) {
        let names = parameterNames(in: sql)
        if let unused = given.first(where: { !names.contains($0.name) }) {
            throw .badParameter(unused.name, reason: "the SQL does not use :\(unused.name)")
        }
        var numbered = sql
        for parameter in parameters(in: sql).reversed() {
            numbered.replaceSubrange(parameter.range, with: "$\(names.firstIndex(of: parameter.name)! + 1)")
        }
        let values: [String?] = names.map { name in
            switch given.last(where: { $0.name == name })?.value {
            case .integer(let value)?: return String(value)
            case .real(let value)?: return String(value)
            case .text(let value)?: return value
            case .blob(let bytes)?: return "\\x" + bytes.map { String(format: "%02x", $0) }.joined()
            case .null?, nil: return nil
            }
        }
        return (numbered, values)
    }
}

extension SQLValue {
    /// A value the server sent (``PostgresRow``).
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let number): self = .integer(number)
        case .double(let number): self = .real(number)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob([UInt8](data))
        }
    }
}
