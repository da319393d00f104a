/// A step failed for a reason of the scenario itself (a `check` mismatch, an
/// unknown name), not a kernel outcome; the runner turns it into
/// ``ScenarioError/stepFailed(step:op:line:reason:)``.
struct StepFault: Error {
    let reason: String

    init(_ reason: String) { self.reason = reason }
}
