import Foundation

import KHOLedger

/// Why a query or a report could not run.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// A statement that could change something: the statement and what it would do.
    case readOnly(statement: String, action: String)
    /// SQLite refused or failed the statement.
    case sql(message: String, statement: String)
    /// A `--param` that does not read as `name=value`.
    case badParameter(String, String)
    /// A parameter no statement uses (most likely a misspelt name).
    case unusedParameter(String)
    /// The input holds no SQL statement.
    case noStatement
    /// No report of that name ships with this build.
    case unknownReport(String, known: [String])
    /// The bundled report files are missing or malformed.
    case badReportFile(String)
    /// The ledger could not be opened.
    case ledger(LedgerError)
    /// A generation the ledger does not have.
    case unknownGeneration(Int64, known: [Int64])
    /// A report's rows lack a column the renderer needs.
    case missingColumn(report: String, column: String)
    /// The statement was still running when the time limit ran out.
    case timedOut(after: Duration, statement: String)
    /// The statement was interrupted (Ctrl-C).
    case interrupted(statement: String)
    /// A canned report's total passed 2^63 - 1: the ledger holds a count
    /// or size no recording writes.
    case totalOverflow(report: String)
    /// A report gives a generation a value no recording writes (a page
    /// size kholedger does not model, memory smaller than a page or past 2^63).
    case corruptGeneration(report: String, generation: Int64, column: String, value: String)

    public var description: String {
        switch self {
        case let .readOnly(statement, action): return "the ledger is read-only: \"\(Self.excerpt(statement))\" refused (\(action))"
        case let .sql(message, statement): return "SQL error: \(message) in: \(Self.excerpt(statement))"
        case let .badParameter(text, reason): return "bad --param \"\(text)\": \(reason)"
        case .unusedParameter(let name): return "--param \(name): no statement uses :\(name)"
        case .noStatement: return "no SQL statement given"
        case let .unknownReport(name, known):
            return "unknown report \"\(name)\": the reports are \(known.joined(separator: ", ")) (kholedger report --list)"
        case .badReportFile(let detail): return "report files: \(detail)"
        case .ledger(let error): return error.description
        case let .unknownGeneration(generation, known):
            let range = known.isEmpty ? "it has none" : "its generations are \(known.first!)…\(known.last!)"
            return "generation \(generation) is not in the ledger: \(range)"
        case let .missingColumn(report, column): return "report \(report) has no column \"\(column)\""
        case let .timedOut(limit, statement):
            return "stopped when its time limit of \(limit) ran out: \(Self.excerpt(statement))"
        case .interrupted(let statement): return "interrupted: \(Self.excerpt(statement))"
        case .totalOverflow(let report):
            return "report \(report): a total passes 2^63 - 1 bytes or blocks: the ledger holds a corrupt count or size "
                + "(`kholedger audit` names the row)"
        case let .corruptGeneration(report, generation, column, value):
            return "report \(report): generation \(generation) has \(column) \(value): the ledger holds a corrupt generation row "
                + "(`kholedger audit` names it)"
        }
    }

    /// The statement on one line, cut at 120 characters.
    private static func excerpt(_ statement: String) -> String {
        let line = statement.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return line.count > 120 ? String(line.prefix(119)) + "…" : line
    }
}
