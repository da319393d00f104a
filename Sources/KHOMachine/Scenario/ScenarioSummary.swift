/// The result of a scenario run: every step's report and the totals.
public struct ScenarioSummary: Sendable, Encodable {
    /// Totals over the whole run.
    public struct Totals: Sendable, Encodable {
        /// Steps executed (repeated steps count once per iteration).
        public var steps: Int
        /// Machine events, the cold boot's included.
        public var events: Int
        /// Boots: the cold boot plus one per kexec.
        public var generations: Int
        public var kexecs: Int
        /// Steps that failed as their `expect:` asked.
        public var expectedFailures: Int
        /// `check` steps (all passed, or the run would have stopped).
        public var checks: Int
        /// Tracker entries of the last generation at the end of the run.
        public var preservedBlocks: Int

        private enum CodingKeys: String, CodingKey {
            case steps, events, generations, kexecs
            case expectedFailures = "expected_failures", checks
            case preservedBlocks = "preserved_blocks"
        }
    }

    public var steps: [StepReport]
    public var totals: Totals

    private enum CodingKeys: String, CodingKey {
        case steps
        case totals = "summary"
    }
}
