import ArgumentParser
import Foundation
import KHOReport

/// `kholedger sql`: read-only SQL over a ledger.
struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run SQL over a ledger, read-only.",
        discussion: """
            Runs QUERY (one or more statements separated by ;) and prints the rows of each \
            statement that returns columns. Without QUERY, reads the SQL from standard \
            input, or, on a terminal, starts a console: statements end with ;, and \
            .tables, .schema [NAME], .format table|csv|json, .help and .quit work as in \
            the sqlite3 shell.

            The ledger cannot be changed from here: it is opened read-only with \
            PRAGMA query_only, extension loading is off, and every statement is checked \
            as it is compiled. INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, \
            transactions, load_extension() and pragmas that set something are refused \
            with one error line (exit status 1) before any statement of the input runs. \
            Pragmas that only report (table_info, index_list, page_size, …) are allowed. \
            Only SQLite's own core, aggregate, window, date, math and JSON functions may \
            be called: fts3_tokenizer() (which takes and returns raw pointers), the \
            full-text functions and any other function are refused the same way.

            The console is bounded: an input still running after --timeout seconds \
            (default 30; 0 for no limit) stops with one error line (exit status 1), as \
            Ctrl-C stops it in the console; no string or blob may grow past 64 MiB; and \
            rows are printed as they are read, so memory stays bounded for any number of \
            rows (a text table sizes its columns from its first 1000 rows).

            --param name=value binds :name (also @name, $name). A decimal integer binds \
            as an INTEGER, anything else, 0x… addresses included, as TEXT (the views \
            show addresses as '0x…' text). Parameters not given are NULL, as in the \
            sqlite3 shell; a --param no statement uses is an error.

            Output: a text table (NULL spelt out, blobs as x'…' cut at 16 bytes), CSV \
            (RFC 4180, blobs as x'…' in full) or JSON (an array of objects keyed by \
            column in column order, blobs as hex strings; several statements give an \
            array of such arrays). The views are described in the README.

            Examples:
              kholedger sql "SELECT kind, count(*) AS ops FROM v_ops GROUP BY kind"
              kholedger sql "SELECT * FROM v_preserved WHERE generation = :g" --param g=1
              kholedger sql "SELECT name FROM v_areas WHERE descriptor_phys = :d" \\
                  --param d=0x104880010 --format csv
              kholedger sql --format json < Reports/orders.sql
              kholedger sql --timeout 5 "SELECT count(*) FROM v_frames"
              kholedger sql
            """
    )

    @Argument(help: ArgumentHelp("The SQL to run (default: standard input, or a console on a terminal).", valueName: "query"))
    var query: String?

    @OptionGroup var parameters: ParameterOptions

    @Option(name: .long, help: "Output format: table (text), csv or json.")
    var format: TabularFormat = .text

    @OptionGroup var timeout: QueryTimeout

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        let (connection, bound) = try exitOnError {
            let connection = try timeout.connection(readingAt: ledger.path)
            return (connection, try parameters.bound())
        }
        // Ctrl-C stops the running input (the console then goes on), also
        // when kholedger was started with SIGINT blocked.
        signal(SIGINT) { _ in ReadOnlyConnection.requestInterrupt() }
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        sigprocmask(SIG_UNBLOCK, &interrupt, nil)
        if let query {
            try exitOnError { try Self.print(query, parameters: bound, on: connection, format: format) }
        } else if isatty(STDIN_FILENO) != 0 {
            var console = SQLConsole(connection: connection, parameters: bound, format: format)
            console.run()
        } else {
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            try exitOnError { try Self.print(input, parameters: bound, on: connection, format: format) }
        }
    }

    /// Runs `sql` and prints its rows on standard output as they are read.
    static func print(_ sql: String, parameters: [SQLParameter], requireUse: Bool = true,
                      on connection: ReadOnlyConnection, format: TabularFormat) throws(ReportError) {
        var output = QueryResultOutput(format: format) { Swift.print($0, terminator: "") }
        try connection.run(sql, parameters: parameters, requireUse: requireUse, into: &output)
    }
}
