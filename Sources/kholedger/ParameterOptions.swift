import ArgumentParser
import KHOReport

/// `--param name=value`, shared by the commands that run SQL.
struct ParameterOptions: ParsableArguments {
    @Option(name: .customLong("param"), help: ArgumentHelp("Bind :name to value (repeatable).", valueName: "name=value"))
    var parameters: [String] = []

    /// The parameters parsed (``SQLParameter/init(parsing:)``).
    func bound() throws(ReportError) -> [SQLParameter] {
        try parameters.map { text throws(ReportError) in try SQLParameter(parsing: text) }
    }
}
