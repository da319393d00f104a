import ArgumentParser
import Foundation
import KHOFleet
import KHOReport

/// `kholedger fleet`: the fleet store's schema, chains, SQL and reports.
struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Query and check a PostgreSQL fleet store of many hosts' ledgers.",
        discussion: """
            Hosts copy their ledgers into the store with `kholedger push`. The store is \
            --to URL, else $KHOLEDGER_FLEET (postgresql://USER@HOST:PORT/DATABASE), as \
            in the examples.

            Examples:
              kholedger fleet hosts
              kholedger fleet verify --host hv-0042
              kholedger fleet sql "SELECT host, count(*) FROM v_fleet_ops GROUP BY host"
              kholedger fleet report kernel-pairs
              kholedger fleet report --html fleet.html
              kholedger fleet migrate
            """,
        subcommands: [FleetHostsCommand.self, FleetVerifyCommand.self, FleetSQLCommand.self, FleetReportCommand.self, FleetMigrateCommand.self]
    )
}

/// `kholedger fleet migrate`.
struct FleetMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the fleet store's schema migrations it lacks (push does this too).",
        discussion: """
            The schema is the numbered, forward-only SQL files of FleetMigrations/ in the \
            source tree, applied in one transaction under a lock, and recorded in the \
            table fleet_migration. It creates the roles kholedger_reader (read every \
            table and view) and kholedger_pusher (also add rows) if the cluster lacks \
            them; grant them to login roles. The connecting role must be able to create \
            tables in the database (its owner, say).
            """
    )

    @OptionGroup var fleet: FleetOptions

    func run() throws {
        try exitOnError {
            let store = try fleet.store()
            let applied = try store.migrate()
            print(applied.isEmpty ? "\(store.location): the schema is up to date" : "\(store.location): applied \(applied.joined(separator: ", "))")
        }
    }
}

/// `kholedger fleet hosts`.
struct FleetHostsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts",
        abstract: "List the hosts in the store with their chain heads (the hosts report).")

    @Option(name: .long, help: "Output format: text, csv or json.")
    var format: TabularFormat = .text

    @OptionGroup var fleet: FleetOptions

    func run() throws {
        try exitOnError {
            print(QueryResultOutput.render([try fleet.store().report("hosts")], format: format, bytesWithUnits: true))
        }
    }
}

/// `kholedger fleet verify`.
struct FleetVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every stored hash chain; exit 1 naming the first bad seq.",
        discussion: """
            For each host (or only --host), recomputes each stored operation's hash \
            from the rows stored for it, with the ledger's own rule (`audit --chain`), \
            and checks that the host's head is its last operation. A row edited in \
            the store, an operation removed, or a head moved is named by host and seq. \
            For a host pushed with --content none, operations that set page contents \
            are checked by their link to the operation before them only.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Only this host.", valueName: "name"))
    var host: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var fleet: FleetOptions

    func run() throws {
        let reports = try exitOnError {
            let progress = ProgressLine("verify", total: 0)
            defer { progress.clear() }
            return try fleet.store().verify(host: host) { done, total in progress.update(done: done, total: total) }
        }
        switch format {
        case .json: print(try JSONOutput.string(reports.map(FleetVerifyDocument.init)))
        case .text:
            for report in reports {
                let head = report.head.map { "head \($0)" } ?? "no operations"
                let linked = report.linkedOnly > 0 ? ", \(report.linkedOnly) checked by link only (--content none)" : ""
                if let seq = report.firstBroken {
                    print("host \(report.host): BROKEN at seq \(seq): \(report.reason ?? "")")
                } else {
                    print("host \(report.host): intact, \(report.checked) operations verified\(linked) (\(head))")
                }
            }
            if reports.isEmpty { print("the store has no hosts") }
        }
        if reports.contains(where: { !$0.isIntact }) { throw ExitCode(1) }
    }
}

/// `fleet verify --format json`.
private struct FleetVerifyDocument: Encodable {
    var host: String
    var intact: Bool
    var checked: Int
    var linkedOnly: Int
    var firstBroken: Int64?
    var reason: String?
    var head: String?

    init(_ report: FleetVerifyReport) {
        host = report.host
        intact = report.isIntact
        checked = report.checked
        linkedOnly = report.linkedOnly
        firstBroken = report.firstBroken
        reason = report.reason
        head = report.head?.description
    }
}

/// `kholedger fleet sql`.
struct FleetSQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run one SQL statement over the fleet store, read-only.",
        discussion: """
            Runs QUERY (one statement; default: standard input) in a READ ONLY \
            transaction as the role kholedger_reader, rolled back after: INSERT, UPDATE, \
            DELETE, DDL and anything else that writes is refused by the server with one \
            error line. The views are v_fleet_hosts, v_fleet_generations, v_fleet_ops, \
            v_fleet_objects, v_fleet_areas, v_fleet_preserved, v_fleet_findings and \
            v_fleet_leaks (described in the README); the tables mirror the ledger's, with \
            host_id first in every key.

            --param name=value binds :name (a decimal integer as an integer, anything \
            else as text; `::` casts are left alone). A query still running after \
            --timeout seconds (default 30; 0 for no limit) is stopped by the server.
            """
    )

    @Argument(help: ArgumentHelp("The SQL to run (default: standard input).", valueName: "query"))
    var query: String?

    @OptionGroup var parameters: ParameterOptions

    @Option(name: .long, help: "Output format: table (text), csv or json.")
    var format: TabularFormat = .text

    @Option(name: .long, help: ArgumentHelp("Stop a query still running after this many seconds (0: no limit).", valueName: "seconds"))
    var timeout = 30

    @OptionGroup var fleet: FleetOptions

    func run() throws {
        try exitOnError {
            let sql = query ?? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            let bound = try parameters.bound()
            let result = try fleet.store().query(sql, parameters: bound, timeout: timeout)
            print(QueryResultOutput.render([result], format: format))
        }
    }
}
