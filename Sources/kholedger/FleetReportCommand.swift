import ArgumentParser
import Foundation
import KHOFleet
import KHOImage
import KHOReport

/// `kholedger fleet report`: the canned fleet reports and their HTML page.
struct FleetReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run a canned fleet report (hosts, releases, kernel-pairs, findings, over-limit) or write them as HTML.",
        discussion: """
            Each report is a documented SQL file shipped with kholedger (FleetReports/ in \
            the source tree, listed by --list), run as `fleet sql` runs SQL. over-limit \
            takes --param preserved_bytes=N, --param sessions=N and --param files=N.

            --html FILE writes one self-contained HTML file (no script, nothing loaded \
            from the network): a chart of the preserved bytes of each host, then every \
            report, over-limit for the limits given.

            Examples:
              kholedger fleet report --list
              kholedger fleet report hosts
              kholedger fleet report over-limit --param preserved_bytes=1048576
              kholedger fleet report --html fleet.html
            """
    )

    @Argument(help: ArgumentHelp("The report to run (see --list).", valueName: "name"))
    var name: String?

    @Flag(name: .long, help: "List the reports with what each one shows.")
    var list = false

    @Option(name: .long, help: ArgumentHelp("Write every report to this HTML file.", valueName: "file"))
    var html: String?

    @OptionGroup var parameters: ParameterOptions

    @Option(name: .long, help: "Output format: text, csv or json.")
    var format: TabularFormat = .text

    @OptionGroup var fleet: FleetOptions

    func run() throws {
        try exitOnError {
            let bound = try parameters.bound()
            switch (name, list, html) {
            case (nil, true, nil):
                let rows = try FleetReports.all().map { [SQLValue.text($0.name), .text($0.summary), .text("FleetReports/\($0.name).sql")] }
                print(QueryResultOutput.render([QueryResult(columns: ["name", "shows", "file"], rows: rows)], format: format))
            case let (name?, false, nil):
                print(QueryResultOutput.render([try fleet.store().report(name, parameters: bound)], format: format, bytesWithUnits: true))
            case let (nil, false, html?):
                try writeHTML(to: html, parameters: bound)
            default:
                throw InputError("give one of: a report NAME, --list, or --html FILE")
            }
        }
    }

    private func writeHTML(to path: String, parameters: [SQLParameter]) throws {
        let store = try fleet.store()
        var sections: [any HTMLSection] = []
        let hosts = try store.report("hosts")
        if let host = hosts.column("host"), let bytes = hosts.column("preserved_bytes") {
            let bars = hosts.rows.map { (label: $0[host].text, value: $0[bytes].integer ?? 0) }
            sections.append(BarChartSection(title: "Preserved bytes per host", anchor: "preserved",
                                            note: "Each host's newest generation at its last operation (report hosts).", bars: bars, bytes: true))
        }
        for report in try FleetReports.all() {
            let result = try store.report(report.name, parameters: report.name == "over-limit" ? parameters : [])
            sections.append(TableSection(title: report.summary.prefix(1).uppercased() + report.summary.dropFirst(), anchor: report.name,
                                         note: "Report \(report.name) (FleetReports/\(report.name).sql).", result: result))
        }
        let document = HTMLReport(title: "kholedger fleet report", subtitle: store.location, sections: sections).render()
        let file = try OutputFile(path: path)
        try file.append(Array(document.utf8))
        try file.commit()
        printNote("wrote \(path): \(file.position) bytes")
    }
}
