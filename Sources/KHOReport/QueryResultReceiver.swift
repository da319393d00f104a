/// Takes the results of ``ReadOnlyConnection/run(_:parameters:requireUse:into:)``
/// row by row as SQLite steps through them, so that memory stays bounded
/// for any number of rows.
///
/// A run that fails midway (an error, a timeout) stops calling the
/// receiver: ``end()`` is called only after the last row of a complete run.
public protocol QueryResultReceiver {
    /// Called once, before any statement runs, with the column names of
    /// each statement of the input that returns rows, in order.
    mutating func begin(_ columns: [[String]])
    /// Called for each row of result `index` (an index into the columns
    /// given to ``begin(_:)``), results in order.
    mutating func receive(_ row: [SQLValue], result index: Int)
    /// Called after the last row of the last statement.
    mutating func end()
}

/// Keeps every row: the receiver behind ``ReadOnlyConnection/run(_:parameters:requireUse:)``,
/// for reports whose rows are few.
struct QueryResultCollector: QueryResultReceiver {
    private(set) var results: [QueryResult] = []

    mutating func begin(_ columns: [[String]]) {
        results = columns.map { QueryResult(columns: $0, rows: []) }
    }

    mutating func receive(_ row: [SQLValue], result index: Int) {
        results[index].rows.append(row)
    }

    mutating func end() {}
}
