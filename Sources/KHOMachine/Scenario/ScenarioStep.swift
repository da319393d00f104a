/// One step of a scenario: an op, how it is expected to end, and where it
/// came from. A step with `repeat: N` becomes N steps with the same number
/// and iterations 0 … N−1.
public struct ScenarioStep: Hashable, Sendable {
    /// Position in the file's `steps` list, from 1.
    public var number: Int
    /// The iteration of a repeated step, nil when not repeated.
    public var iteration: Int?
    /// Line of the step in the file, when known.
    public var line: Int?
    public var op: ScenarioOp
    public var expect: ScenarioExpectation

    public init(number: Int, iteration: Int? = nil, line: Int? = nil, op: ScenarioOp, expect: ScenarioExpectation = .ok) {
        self.number = number
        self.iteration = iteration
        self.line = line
        self.op = op
        self.expect = expect
    }

    /// `4` or `4.2` (step 4, iteration 2).
    public var label: String { iteration.map { "\(number).\($0)" } ?? "\(number)" }
}
