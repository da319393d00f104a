/// Counts what the machine events of one step did, for the step's facts.
struct EventTally {
    private(set) var events = 0
    /// Tracker entries added and removed (a failed call's rollback included).
    private(set) var added = 0
    private(set) var removed = 0
    /// Blocks whose KHO magic a restore consumed.
    private(set) var restored = 0
    /// Chunk pages of vmalloc preservations and restores.
    private(set) var chunks = 0
    private(set) var warnings: [String] = []

    mutating func add(_ event: MachineEvent) {
        events += 1
        for change in event.tracker {
            if change.added { added += 1 } else { removed += 1 }
        }
        restored += event.restored.count
        chunks += event.chunks.count
        warnings += event.arguments.filter { $0.name == "warning" }.map(\.value.description)
    }

    /// The non-zero counts as facts, and the warnings as one fact.
    var facts: [ScenarioFact] {
        var facts: [ScenarioFact] = []
        if chunks > 0 { facts.append(.count("chunks", chunks)) }
        if added > 0 { facts.append(.count("preserved", added)) }
        if removed > 0 { facts.append(.count("unpreserved", removed)) }
        if restored > 0 { facts.append(.count("restored", restored)) }
        if !warnings.isEmpty { facts.append(.text("warning", warnings.joined(separator: "; "))) }
        return facts
    }
}
