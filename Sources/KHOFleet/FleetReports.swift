import Foundation
import KHOReport

/// The canned fleet reports: documented PostgreSQL files of
/// `Sources/KHOFleet/Reports/` (the top-level `FleetReports/`), each
/// headed as the ledger's reports are (``CannedReport``).
public enum FleetReports {
    /// Every fleet report, by name.
    public static func all() throws(FleetError) -> [CannedReport] {
        guard let directory = Bundle.module.url(forResource: "Reports", withExtension: nil) else {
            throw .inconsistent("the fleet reports are not in the installation")
        }
        do {
            return try CannedReport.all(in: directory)
        } catch {
            throw .inconsistent(error.description)
        }
    }

    /// The report called `name`.
    public static func named(_ name: String) throws(FleetError) -> CannedReport {
        let reports = try all()
        guard let report = reports.first(where: { $0.name == name }) else { throw .unknownReport(name, known: reports.map(\.name)) }
        return report
    }
}
