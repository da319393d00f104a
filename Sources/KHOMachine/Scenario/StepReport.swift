/// What one step did: its outcome, the events it caused and its key facts.
public struct StepReport: Sendable {
    /// The step's number in the file (from 1) and iteration, line, op.
    public var step: ScenarioStep
    /// The subject (area, blob, name) the step is about.
    public var subject: String?
    /// The generation the step started in.
    public var generation: Int
    public var outcome: MachineEvent.Outcome
    /// The errno's explanation, for a failed step.
    public var detail: String?
    /// Machine events the step emitted.
    public var events: Int
    public var facts: [ScenarioFact]

    /// `ok`, the errno name (`EINVAL`), or `NULL`.
    public var outcomeName: String {
        switch outcome {
        case .ok: return "ok"
        case .errno(let errno): return errno.name
        case .null: return "NULL"
        }
    }

    /// True when the step failed as its `expect:` asked.
    public var isExpectedFailure: Bool { outcome != .ok }
}

extension StepReport: Encodable {
    private enum CodingKeys: String, CodingKey {
        case step, iteration, line, op, subject, generation, outcome, expect, detail, events, facts
    }

    private struct Facts: Encodable {
        let facts: [ScenarioFact]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            for fact in facts { try container.encode(fact, forKey: AnyKey(stringValue: fact.name)) }
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(step.number, forKey: .step)
        try container.encodeIfPresent(step.iteration, forKey: .iteration)
        try container.encodeIfPresent(step.line, forKey: .line)
        try container.encode(step.op.name.rawValue, forKey: .op)
        try container.encodeIfPresent(subject, forKey: .subject)
        try container.encode(generation, forKey: .generation)
        try container.encode(outcomeName, forKey: .outcome)
        try container.encode(step.expect.description, forKey: .expect)
        if case .null(let reason) = outcome {
            try container.encode(reason, forKey: .detail)
        } else {
            try container.encodeIfPresent(detail, forKey: .detail)
        }
        try container.encode(events, forKey: .events)
        try container.encode(Facts(facts: facts), forKey: .facts)
    }
}
