import ArgumentParser
import KHOImage
import KHOLedger
import KHOReplay
import KHOReport

/// `kholedger report`: the canned SQL reports and the HTML report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run a canned report (summary, orders, fragmentation, leaks, timeline, subsystems, memory-map) or write the HTML report.",
        discussion: """
            Each report is a documented SQL file shipped with kholedger (the Reports/ folder \
            of the source tree, listed by --list); its header says what it answers, at which \
            point in time, and its columns. Reports run on the same read-only connection as \
            `kholedger sql`, with :generation bound to --generation (NULL without it: every \
            generation), and are bounded as it is: a query still running after --timeout \
            seconds (default 30; 0 for no limit) stops with one error line. Unless a report says otherwise, a generation is read as its last \
            operation left it: for a generation that kexec'd, what it handed over.

            --html FILE writes one self-contained HTML file (inline CSS and SVG, no script, \
            nothing loaded from the network): the summary table, a physical-memory map per \
            generation (cells coloured by what preserved the frames, red for blocks the next \
            generation never claimed, tooltips with addresses and owners), the preserved-bytes \
            timeline, the order histogram and the subsystems table. --generation (repeatable) \
            limits it to those generations. The file is written to a new temporary file \
            beside FILE and renamed when complete (a character device or FIFO is written \
            through; `-` is standard output).

            Examples:
              kholedger report --list
              kholedger report summary
              kholedger report leaks --generation 1 --format json
              kholedger report fragmentation --format csv
              kholedger report --html report.html
              kholedger report --html gen1.html --generation 1 --generation 2
            """
    )

    @Argument(help: ArgumentHelp("The report to run (see --list).", valueName: "name"))
    var name: String?

    @Flag(name: .long, help: "List the reports with what each one shows.")
    var list = false

    @Option(name: .long, help: ArgumentHelp("Write the HTML report to this file.", valueName: "file"))
    var html: String?

    @Option(name: .long, help: ArgumentHelp("Only this generation (repeatable with --html).", valueName: "generation"))
    var generation: [Int64] = []

    @Option(name: .long, help: "Output format: text, csv or json.")
    var format: TabularFormat = .text

    @OptionGroup var timeout: QueryTimeout

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try exitOnError {
            switch (name, list, html) {
            case (nil, true, nil): try printList()
            case let (name?, false, nil): try printReport(name)
            case let (nil, false, html?): try writeHTML(to: html)
            default: throw InputError("give one of: a report NAME, --list, or --html FILE")
            }
        }
    }

    private func printList() throws {
        let reports = try CannedReport.all()
        let rows = reports.map { [SQLValue.text($0.name), .text($0.summary), .text("Reports/\($0.name).sql")] }
        print(QueryResultOutput.render([QueryResult(columns: ["name", "shows", "file"], rows: rows)], format: format))
    }

    private func printReport(_ name: String) throws {
        guard generation.count <= 1 else { throw InputError("report \(name) takes one --generation, not \(generation.count)") }
        let report = try CannedReport.named(name)
        let result = try report.run(on: timeout.connection(readingAt: ledger.path), generation: generation.first)
        print(QueryResultOutput.render([result], format: format, bytesWithUnits: true))
    }

    private func writeHTML(to path: String) throws {
        // The audit reads through GRDB, the report through its own guarded connection.
        // The audit's checks are most of the work; the report's queries are one step more.
        let progress = ProgressLine("report", total: 0, unit: .count("steps"))
        defer { progress.clear() }
        let findings = try LedgerAudit(ledger: Ledger(readingAt: ledger.path)).findings { done, checks in
            progress.update(done: done, total: checks + 1)
        }
        var report = try HTMLReport.ledger(timeout.connection(readingAt: ledger.path), generations: generation)
        let shown = generation.isEmpty ? findings : findings.filter { generation.contains($0.generation) }
        report.sections.append(AuditFindingsSection(findings: shown))
        let document = report.render()
        let file = try OutputFile(path: path)
        try file.append(Array(document.utf8))
        try file.commit()
        printNote("wrote \(path): \(file.position) bytes")
    }
}
