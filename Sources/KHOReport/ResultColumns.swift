/// Reading a report's rows by column name, for renderers that need
/// particular columns.
struct ResultColumns {
    let result: QueryResult
    /// The report's name, for errors.
    let report: String

    /// The index of `name`; a report without it is an error naming both.
    func index(_ name: String) throws(ReportError) -> Int {
        guard let index = result.column(name) else { throw .missingColumn(report: report, column: name) }
        return index
    }

    /// The rows whose `generation` is in `generations` (all rows when it is empty).
    func rows(in generations: Set<Int64>) throws(ReportError) -> [[SQLValue]] {
        let column = try index("generation")
        return generations.isEmpty ? result.rows : result.rows.filter { $0[column].integer.map(generations.contains) ?? false }
    }
}
