import KHOABI
import KHOMachine

/// The text form of `kholedger simulate`: a header, one line per step
/// (number, generation, op, subject, outcome, key facts) and a summary line.
enum SimulationText {
    /// The first line: the file and the machine it describes.
    static func header(file: String, scenario: Scenario) -> String {
        let m = scenario.machine
        var line = "scenario \(file): \(m.pageSize / 1024) KiB pages, \(ByteSize.format(m.memorySize)) at \(hex(m.memoryBase)), "
            + "abi \(m.abi.rawValue), seed \(m.seed)"
        if let description = scenario.description?.split(separator: "\n").first { line += "\n# \(description)" }
        return line + "\n" + row("step", "gen", "op", "subject", "outcome", "facts")
    }

    /// One step's line.
    static func line(_ report: StepReport) -> String {
        var facts = report.facts.map { fact in
            fact.name == "sha256" ? "sha256 \(fact.valueText.prefix(16))…" : fact.description
        }
        if report.outcome != .ok {
            facts.insert("as expected: " + (report.detail ?? nullReason(report.outcome) ?? "-"), at: 0)
        }
        return row(report.step.label, "\(report.generation)", report.step.op.name.rawValue, report.subject ?? "-",
                   report.outcomeName, facts.joined(separator: ", "))
    }

    /// The closing summary line.
    static func summary(_ totals: ScenarioSummary.Totals) -> String {
        "summary: " + [
            count(totals.steps, "step"), count(totals.events, "event"), count(totals.generations, "generation"),
            count(totals.kexecs, "kexec"), count(totals.expectedFailures, "expected failure"),
            count(totals.checks, "check") + " passed", count(totals.preservedBlocks, "block") + " preserved at the end",
        ].joined(separator: ", ")
    }

    /// `1 step`, `2 steps`.
    private static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    private static func nullReason(_ outcome: MachineEvent.Outcome) -> String? {
        if case .null(let reason) = outcome { return reason }
        return nil
    }

    private static func row(_ step: String, _ generation: String, _ op: String, _ subject: String,
                            _ outcome: String, _ facts: String) -> String {
        let line = pad(step, 6, right: true) + "  " + pad(generation, 3, right: true) + "  " + pad(op, 18) + " "
            + pad(subject, 22) + " " + pad(outcome, 10) + " " + facts
        return String(line.reversed().drop { $0 == " " }.reversed())
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
