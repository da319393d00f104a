/// Why a scenario could not be read or did not run to the end.
///
/// Parse errors carry a ``ScenarioLocation`` (field path and line); run
/// errors carry the step number (from 1), its op name and line.
public enum ScenarioError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The text is not valid YAML.
    case syntax(line: Int?, column: Int?, message: String)
    /// A step names an op that does not exist.
    case unknownOp(ScenarioLocation, name: String, suggestion: String?)
    /// A mapping has a key the scenario format does not define there.
    case unknownField(ScenarioLocation, field: String, suggestion: String?)
    /// A required field is absent.
    case missingField(ScenarioLocation, field: String)
    /// None of several alternative fields is present (exactly one is needed).
    case missingChoice(ScenarioLocation, fields: [String])
    /// A value has the wrong YAML shape or type (`expected`: what was wanted).
    case wrongType(ScenarioLocation, expected: String, found: String)
    /// A value has the right type but is not acceptable.
    case invalidValue(ScenarioLocation, value: String, reason: String)
    /// The `machine` section describes a machine that cannot be built.
    case invalidMachine(String)
    /// A step ended differently from its `expect`.
    case unexpectedOutcome(step: Int, op: String, line: Int?, expected: ScenarioExpectation, actual: String)
    /// A step failed for a reason that is not a kernel outcome: a `check`
    /// mismatch, an unknown name, misuse of the emulator.
    case stepFailed(step: Int, op: String, line: Int?, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read scenario \(path): \(reason)"
        case let .syntax(line, column, message):
            let place = line.map { "line \($0)" + (column.map { ", column \($0)" } ?? "") + ": " } ?? ""
            return "\(place)invalid YAML: \(message)"
        case let .unknownOp(location, name, suggestion):
            return "\(location): unknown op \"\(name)\"" + Self.hint(suggestion)
        case let .unknownField(location, field, suggestion):
            return "\(location): unknown field \"\(field)\"" + Self.hint(suggestion)
        case let .missingField(location, field):
            return "\(location): missing field \"\(field)\""
        case let .missingChoice(location, fields):
            return "\(location): missing one of " + fields.map { "\"\($0)\"" }.joined(separator: ", ")
        case let .wrongType(location, expected, found):
            return "\(location): expected \(expected), found \(found)"
        case let .invalidValue(location, value, reason):
            return "\(location): invalid value \"\(value)\": \(reason)"
        case .invalidMachine(let reason):
            return "machine: \(reason)"
        case let .unexpectedOutcome(step, op, line, expected, actual):
            return "\(Self.stepName(step, op, line)): expected \(expected), got \(actual)"
        case let .stepFailed(step, op, line, reason):
            return "\(Self.stepName(step, op, line)): \(reason)"
        }
    }

    /// The step number of a run error, nil for parse errors.
    public var step: Int? {
        switch self {
        case .unexpectedOutcome(let step, _, _, _, _), .stepFailed(let step, _, _, _): return step
        default: return nil
        }
    }

    private static func hint(_ suggestion: String?) -> String {
        suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""
    }

    private static func stepName(_ step: Int, _ op: String, _ line: Int?) -> String {
        "step \(step) (\(op)" + (line.map { ", line \($0)" } ?? "") + ")"
    }
}
