import Foundation

/// A report shipped with the package: one documented SQL file of
/// `Reports/`, run through a ``ReadOnlyConnection``.
///
/// A file starts with a comment whose first line is `-- NAME: what it
/// shows`, followed by what it answers, its point in time, its parameters
/// and its columns. Every report takes `:generation` (NULL: every one).
public struct CannedReport: Equatable, Sendable {
    /// The file name without `.sql`.
    public var name: String
    /// The first line of the header comment, after `NAME: `.
    public var summary: String
    /// The whole header comment, without the `-- ` markers.
    public var header: String
    /// The file's SQL.
    public var sql: String

    /// Reads a report file (this package's, or another's written the same way).
    public init(file: URL) throws(ReportError) {
        name = file.deletingPathExtension().lastPathComponent
        do {
            sql = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw .badReportFile("\(file.path): \(error.localizedDescription)")
        }
        let comment = sql.split(separator: "\n", omittingEmptySubsequences: false).prefix { $0.hasPrefix("--") }
            .map { $0.dropFirst(2).trimmingCharacters(in: .whitespaces) }
        let prefix = "\(name): "
        guard let first = comment.first, first.hasPrefix(prefix) else {
            throw .badReportFile("\(file.path) does not start with \"-- \(prefix)…\"")
        }
        summary = String(first.dropFirst(prefix.count))
        header = comment.joined(separator: "\n")
    }

    /// The reports shipped with this build, by name.
    public static func all() throws(ReportError) -> [CannedReport] {
        guard let directory = Bundle.module.url(forResource: "Reports", withExtension: nil) else {
            throw .badReportFile("the Reports resource is not in the bundle")
        }
        return try all(in: directory)
    }

    /// The report files in `directory`, by name.
    public static func all(in directory: URL) throws(ReportError) -> [CannedReport] {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        } catch {
            throw .badReportFile("\(directory.path): \(error.localizedDescription)")
        }
        var reports: [CannedReport] = []
        for file in files where file.pathExtension == "sql" { reports.append(try CannedReport(file: file)) }
        return reports.sorted { $0.name < $1.name }
    }

    /// The report called `name`.
    public static func named(_ name: String) throws(ReportError) -> CannedReport {
        let reports = try all()
        guard let report = reports.first(where: { $0.name == name }) else {
            throw .unknownReport(name, known: reports.map(\.name))
        }
        return report
    }

    /// Runs the report on `connection`, for one generation of the ledger or
    /// (nil) every one; a ledger whose public views were replaced or dropped
    /// is refused, and one whose totals pass 2^63 - 1 is named corrupt.
    public func run(on connection: ReadOnlyConnection, generation: Int64? = nil) throws(ReportError) -> QueryResult {
        try connection.requireIntactViews()
        if let generation {
            let known = try connection.generations()
            guard known.contains(generation) else { throw .unknownGeneration(generation, known: known) }
        }
        let parameter = SQLParameter(name: "generation", value: generation.map(SQLValue.integer) ?? .null)
        let results: [QueryResult]
        do {
            results = try connection.run(sql, parameters: [parameter], requireUse: false)
        } catch .sql(message: Self.integerOverflow, _) {
            throw .totalOverflow(report: name)
        }
        guard let result = results.last else { throw .badReportFile("\(name).sql returns no rows") }
        return result
    }

    /// SQLite's error when `sum()` passes 2^63 - 1: only a ledger row
    /// holding a count or size no recording writes gets there.
    private static let integerOverflow = "integer overflow"
}
