import CLibPQ
import Foundation

/// One connection to a PostgreSQL server through libpq: statements with
/// text parameters, rows back as text, and `COPY … FROM STDIN` in large
/// buffers. Every libpq call of kholedger is in this file.
///
/// Not thread-safe: one connection serves one task at a time.
final class PostgresConnection {
    private let connection: OpaquePointer
    /// The server's URL without its password, for messages.
    let location: String
    /// The column names of the last statement that returned rows.
    private(set) var lastColumnNames: [String] = []

    /// Connects to `url` (`postgresql://USER@HOST:PORT/DATABASE`, or any
    /// connection string libpq takes); no password prompt, a 10 s timeout
    /// unless the URL sets one.
    init(url: String) throws(FleetError) {
        location = FleetURL.redacted(url)
        let keywords = ["dbname", "connect_timeout", "application_name"]
        let values = [url, "10", "kholedger"]
        // expand_dbname = 1: the first dbname is a whole URL whose fields win over the defaults after it.
        let opened: OpaquePointer? = keywords.withCStrings { k in values.withCStrings { v in PQconnectdbParams(k, v, 1) } }
        guard let opened else { throw .server(location, "out of memory opening a connection") }
        connection = opened
        // Every stored property is set: a throw from here on runs deinit, which closes the connection.
        guard PQstatus(opened) == CONNECTION_OK else { throw .unreachable(location, Self.firstLine(PQerrorMessage(opened))) }
        // The server's notices and warnings (a shutdown's, say) are not printed: errors come back as results.
        PQsetNoticeProcessor(opened, { _, _ in }, nil)
        _ = try execute("SET client_min_messages = warning")
    }

    deinit { PQfinish(connection) }

    /// Runs one statement with text parameters (nil: NULL) and returns its
    /// rows (none for a statement that returns none).
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws(FleetError) -> [PostgresRow] {
        let result: OpaquePointer? = parameters.withOptionalCStrings { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try rows(of: result, sql: sql)
    }

    /// Runs a script of statements separated by semicolons, without
    /// parameters (a migration).
    func executeScript(_ sql: String) throws(FleetError) {
        _ = try rows(of: PQexec(connection, sql), sql: sql)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back
    /// when it throws (or when the connection is lost, by the server).
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if PQstatus(connection) == CONNECTION_OK { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// About how many bytes a `COPY` sends at once.
    static let copyPieceBytes = 1 << 20

    /// `COPY table (columns) FROM STDIN` of the rows `body` writes, in
    /// PostgreSQL's text format.
    func copy(into table: String, columns: [String], _ body: (inout CopyText) throws -> Void) throws {
        try copy(into: table, columns: columns, text: try CopyText.encode(body))
    }

    /// `COPY table (columns) FROM STDIN` of `text`, rows in PostgreSQL's
    /// text format (``CopyText``), sent in pieces of about a MiB.
    func copy(into table: String, columns: [String], text: [UInt8]) throws(FleetError) {
        let sql = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        let started = PQexec(connection, sql)
        guard PQresultStatus(started) == PGRES_COPY_IN else { _ = try rows(of: started, sql: sql); return }
        PQclear(started)
        var sent = true
        text.withUnsafeBufferPointer { bytes in
            var offset = 0
            while sent, offset < bytes.count {
                let count = min(Self.copyPieceBytes, bytes.count - offset)
                sent = bytes.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: count) {
                    PQputCopyData(connection, $0, Int32(count)) == 1
                }
                offset += count
            }
        }
        guard sent, PQputCopyEnd(connection, nil) == 1 else { throw .server(location, Self.firstLine(PQerrorMessage(connection))) }
        var failure: FleetError?
        while let result = PQgetResult(connection) {
            do { _ = try rows(of: result, sql: sql) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    /// The rows of `result`, which is cleared; an error result or a lost
    /// connection is a ``FleetError``.
    private func rows(of result: OpaquePointer?, sql: String) throws(FleetError) -> [PostgresRow] {
        guard let result else { throw .server(location, Self.firstLine(PQerrorMessage(connection))) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN:
            return []
        case PGRES_TUPLES_OK:
            lastColumnNames = (0..<Int(PQnfields(result))).map { String(cString: PQfname(result, Int32($0))) }
            return PostgresRow.rows(of: result, names: lastColumnNames)
        default:
            if PQstatus(connection) != CONNECTION_OK {
                throw .server(location, Self.firstLine(PQerrorMessage(connection)))
            }
            let field = { (code: Int32) in PQresultErrorField(result, code).map { String(cString: $0) } }
            throw .statement(PostgresFailure(sqlState: field(Int32(UInt8(ascii: "C"))) ?? "",
                                             message: field(Int32(UInt8(ascii: "M"))) ?? Self.firstLine(PQresultErrorMessage(result)),
                                             detail: field(Int32(UInt8(ascii: "D"))), statement: sql))
        }
    }

    /// The first line of a libpq message, without its prefix and newline.
    static func firstLine(_ message: UnsafePointer<CChar>?) -> String {
        let text = message.map { String(cString: $0) } ?? ""
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "no message"
        return line.hasPrefix("FATAL:  ") ? String(line.dropFirst(8)) : line.hasPrefix("ERROR:  ") ? String(line.dropFirst(8)) : line
    }
}

private extension Array where Element == String {
    /// Calls `body` with the strings as a NULL-terminated array of C strings.
    func withCStrings<T>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        map(Optional.some).withOptionalCStrings { body($0) }
    }
}

private extension Array where Element == String? {
    /// Calls `body` with the strings as an array of C strings (nil: NULL),
    /// followed by a NULL.
    func withOptionalCStrings<T>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies = map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
