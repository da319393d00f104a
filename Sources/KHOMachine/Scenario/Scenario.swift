import Foundation

/// A parsed scenario: the machine to build and the steps to run on it.
/// The file format is documented in `Examples/README.md`.
public struct Scenario: Sendable {
    /// Free text from the file's `description:`.
    public var description: String?
    public var machine: MachineConfig
    public var steps: [ScenarioStep]

    /// The most steps a scenario runs, each repeat counted: beyond it a
    /// scenario is refused before anything runs (time and memory grow with it).
    public static let maximumSteps = 1_000_000

    public init(description: String? = nil, machine: MachineConfig, steps: [ScenarioStep]) {
        self.description = description
        self.machine = machine
        self.steps = steps
    }

    /// Parses a scenario from YAML text.
    public init(yaml: String) throws(ScenarioError) {
        self = try ScenarioParser.parse(yaml: yaml)
    }

    /// Reads and parses the scenario file at `path`.
    public init(contentsOfFile path: String) throws(ScenarioError) {
        try self.init(yaml: ScenarioFile.text(at: path))
    }
}
