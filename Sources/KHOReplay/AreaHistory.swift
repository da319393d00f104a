import KHOABI
import KHOLedger
import KHOMachine

/// One vmalloc area's life across generations: every `preserve_vmalloc`
/// and `restore_vmalloc` of that name (a *hop*), with the descriptor and
/// chunk pages it left, the SHA-256 of the area's bytes in restore order
/// right after it, and how many of its pages differ from the previous hop's
/// area (compared by page index and content).
///
/// A failed call is a hop without an area: it shows the result the kernel
/// returned.
public struct AreaHistory: Sendable {
    /// One preserve or restore of the area.
    public struct Hop: Sendable {
        public var seq: Int64
        public var generation: Int64
        public var kind: MachineEvent.Kind
        /// `ok`, an errno name or `NULL (…)`, as `log` prints it.
        public var result: String
        /// The area the call preserved or rebuilt; nil when it failed.
        public var area: AsOfState.Area?
        /// The area restored from the ledger right after the call; nil when it failed.
        public var restored: RestoredArea?
        /// Why the area could not be restored from the ledger, if it could not.
        public var restoreError: String?
        /// Page indices whose content differs from the previous successful
        /// hop's area; nil for the first.
        public var changedPages: Int?
    }

    /// The area's name.
    public let name: String
    /// The hops in seq order.
    public let hops: [Hop]

    /// Reads the history of the areas named `name`; a name no preserve or
    /// restore ever used is ``ReplayError/notFound(_:)``.
    public init(ledger: Ledger, area name: String) throws(ReplayError) {
        self.name = name
        let calls: [OpSummary]
        do {
            calls = try ledger.operations(OpFilter(subject: name)).filter {
                $0.kind == MachineEvent.Kind.preserveVmalloc.rawValue || $0.kind == MachineEvent.Kind.restoreVmalloc.rawValue
            }
        } catch {
            throw .ledger(error)
        }
        guard !calls.isEmpty else {
            throw .notFound("no preserve_vmalloc or restore_vmalloc of an area named \"\(name)\" in \(ledger.path)")
        }
        var hops: [Hop] = []
        var previous: (state: AsOfState, area: AsOfState.Area)?
        for call in calls {
            let kind = MachineEvent.Kind(rawValue: call.kind)!
            var hop = Hop(seq: call.seq, generation: call.generation, kind: kind, result: call.result)
            if call.result == "ok" {
                let state = try AsOfState(ledger: ledger, seq: call.seq)
                if let area = state.areas.first(where: { $0.name == name && $0.fromSeq == call.seq }) {
                    hop.area = area
                    do {
                        hop.restored = try LedgerRestore(ledger: ledger).restore(area, of: state)
                    } catch {
                        hop.restoreError = error.description
                    }
                    if let previous {
                        hop.changedPages = try ledger.asOfRead { snapshot in
                            IndexRange.total(try AreaChange(from: previous.area, at: DiffSide(snapshot, previous.state),
                                                            to: area, at: DiffSide(snapshot, state)).changedPages)
                        }
                    }
                    previous = (state, area)
                }
            }
            hops.append(hop)
        }
        self.hops = hops
    }
}
