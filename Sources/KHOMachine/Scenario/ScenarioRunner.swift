/// Runs a ``Scenario`` on a fresh ``KHOMachine``.
///
/// Every machine event goes to the event sink given at creation (swap it
/// for a ledger writer to record the run). Each step's outcome is compared
/// with its `expect:`; the first mismatch, failed `check` or misuse stops
/// the run with a ``ScenarioError`` naming the step. No printing, no storage.
public final class ScenarioRunner {
    public let scenario: Scenario
    private let onEvent: (MachineEvent) -> Void

    /// The machine of the current (or last) run.
    public private(set) var machine: KHOMachine?
    /// Files rebuilt by `memfd_restore` in the current generation, by name.
    public internal(set) var files: [String: [UInt8]] = [:]
    /// SHA-256 digests recorded with `record:`; they survive kexec.
    public internal(set) var digests: [String: [UInt8]] = [:]
    var symbols = ScenarioSymbols()
    /// Random bytes of fills and writes; seeded from the machine seed.
    var random: SplitMix64
    /// Digests of zero-filled files, by size.
    var zeroDigests = ZeroDigests()
    var tally = EventTally()
    private var totalEvents = 0

    /// A runner for `scenario` whose machine events go to `onEvent`.
    public init(_ scenario: Scenario, onEvent: @escaping (MachineEvent) -> Void = { _ in }) {
        self.scenario = scenario
        self.onEvent = onEvent
        random = Self.contentRandom(scenario)
    }

    /// The generator of fill and write bytes: derived from the machine seed,
    /// independent of the frame allocator's.
    private static func contentRandom(_ scenario: Scenario) -> SplitMix64 {
        SplitMix64(seed: scenario.machine.seed ^ 0x5CE9_A210_F111_0000)
    }

    /// Builds the machine, runs every step in order and returns the reports;
    /// `onStep` sees each report as soon as its step is done.
    public func run(onStep: (StepReport) -> Void = { _ in }) throws(ScenarioError) -> ScenarioSummary {
        files = [:]
        digests = [:]
        symbols = ScenarioSymbols()
        random = Self.contentRandom(scenario)
        totalEvents = 0
        let machine: KHOMachine
        do {
            machine = try KHOMachine(config: scenario.machine) { [unowned self] in self.record($0) }
        } catch {
            throw .invalidMachine(error.description)
        }
        self.machine = machine
        var reports: [StepReport] = []
        for step in scenario.steps {
            let report = try execute(step, on: machine)
            reports.append(report)
            onStep(report)
        }
        let preserved: Int
        do {
            preserved = try machine.preservedBlocks().count
        } catch {
            throw .stepFailed(step: scenario.steps.last?.number ?? 0, op: "end of run", line: nil,
                              reason: "the tracker cannot be walked: \(error)")
        }
        let totals = ScenarioSummary.Totals(
            steps: reports.count, events: totalEvents, generations: machine.generation + 1,
            kexecs: reports.filter { $0.step.op.name == .kexec && $0.outcome == .ok }.count,
            expectedFailures: reports.filter(\.isExpectedFailure).count,
            checks: reports.filter { $0.step.op.name == .check }.count,
            preservedBlocks: preserved)
        return ScenarioSummary(steps: reports, totals: totals)
    }

    private func record(_ event: MachineEvent) {
        totalEvents += 1
        tally.add(event)
        onEvent(event)
    }

    /// Runs one step and judges its outcome against `expect:`.
    private func execute(_ step: ScenarioStep, on machine: KHOMachine) throws(ScenarioError) -> StepReport {
        tally = EventTally()
        let generation = machine.generation
        var facts: [ScenarioFact] = []
        var outcome = MachineEvent.Outcome.ok
        var detail: String?
        let op = step.op.name.rawValue
        do {
            facts = try perform(step.op, on: machine)
        } catch let error as MachineError {
            switch error {
            case let .kernel(errno, reason):
                outcome = .errno(errno)
                detail = reason
            case .restoreFailed(let reason):
                outcome = .null(reason)
            default:
                throw .stepFailed(step: step.number, op: op, line: step.line, reason: error.description)
            }
        } catch let fault as StepFault {
            throw .stepFailed(step: step.number, op: op, line: step.line, reason: fault.reason)
        } catch {
            throw .stepFailed(step: step.number, op: op, line: step.line, reason: "\(error)")
        }
        guard step.expect.matches(outcome) else {
            let actual = detail.map { "\(outcome): \($0)" } ?? outcome.description
            throw .unexpectedOutcome(step: step.number, op: op, line: step.line, expected: step.expect, actual: actual)
        }
        return StepReport(step: step, subject: step.op.subject, generation: generation, outcome: outcome,
                          detail: detail, events: tally.events, facts: facts + tally.facts)
    }
}
