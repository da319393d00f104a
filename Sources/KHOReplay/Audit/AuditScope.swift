import KHOABI
import KHOLedger
import KHOMachine

/// What one audit covers, resolved against the ledger: its history up to
/// seq ``end``, optionally one generation, and the handover point of every
/// generation audited.
struct AuditScope {
    /// One audited generation and the point its handover checks look at.
    struct Handover {
        let generation: Int64
        /// Its pages and RAM.
        let layout: GenerationLayout
        /// The generation's kexec, or its last operation up to ``AuditScope/end``
        /// (checked as if it kexec'd right after).
        let seq: Int64
        /// True when ``seq`` is the generation's kexec.
        let isKexec: Bool
        /// The generation that kexec booted, when it booted by the end.
        let child: Int64?
        /// KHO's own root FDT page (preserved at boot, handed over with every kexec).
        let fdtPhys: UInt64?
        /// The emulated machine's configuration (simulated generations only).
        let machine: MachineConfig?

        var geometry: PageGeometry { layout.geometry }
        var memory: GenerationMemory { layout.memory }

        /// The handover of `generation` at its kexec, else at its last operation up to the scope's end.
        init(_ generation: HandoverGeneration) {
            self.generation = generation.generation
            layout = generation.layout
            seq = generation.lastSeq ?? generation.bootSeq
            isKexec = generation.kexecSeq == seq
            child = isKexec ? generation.child : nil
            fdtPhys = generation.fdtPhys
            machine = generation.machine
        }
    }

    let ledger: Ledger
    /// The last seq audited.
    let end: Int64
    /// The one generation audited, or nil for all.
    let generation: Int64?
    /// A head kept from an earlier verification, which the ledger must still reach.
    let keptHead: ChainHead?
    /// Every generation audited, in order.
    let handovers: [Handover]

    /// The layout of every audited generation, by generation.
    var layouts: [Int64: GenerationLayout] {
        Dictionary(handovers.map { ($0.generation, $0.layout) }, uniquingKeysWith: { first, _ in first })
    }

    /// Resolves the scope: `end` nil is the ledger's last operation.
    init(ledger: Ledger, end: Int64?, generation: Int64?, keptHead: ChainHead? = nil) throws(AuditError) {
        self.ledger = ledger
        self.generation = generation
        self.keptHead = keptHead
        let last: Int64
        do {
            last = try PointInTime.latest(in: ledger)
        } catch {
            throw .replay(error)
        }
        if let end, end < 1 || end > last {
            throw .replay(.pointOutOfRange("\(end)", "the ledger has seqs 1…\(last)"))
        }
        let end = end ?? last
        self.end = end
        let generations = try Self.read(ledger) { snapshot in try HandoverGeneration.fetchAll(snapshot, through: end, generation: generation) }
        if let generation, generations.isEmpty { throw try Self.missing(generation, ledger: ledger, end: end) }
        handovers = generations.map(Handover.init)
    }

    /// Why `generation` has nothing to audit up to `end`.
    private static func missing(_ generation: Int64, ledger: Ledger, end: Int64) throws(AuditError) -> AuditError {
        let (boot, last) = try read(ledger) { snapshot in try HandoverGeneration.fetchBoot(snapshot, of: generation) }
        if let boot {
            return .unknownGeneration(generation, "it boots at seq \(boot), after the audited point (seq \(end))")
        }
        return .unknownGeneration(generation, last.map { "the ledger has generations 0…\($0)" } ?? "the ledger has none")
    }

    /// The page geometry of an audited generation.
    func geometry(of generation: Int64) throws(AuditError) -> PageGeometry {
        guard let handover = handovers.first(where: { $0.generation == generation }) else {
            throw .ledger(.inconsistent("\(ledger.path): generation \(generation) is not in the audited scope"))
        }
        return handover.geometry
    }

    /// The ledger's state at `handover`'s point.
    func state(at handover: Handover) throws(AuditError) -> AsOfState {
        do {
            return try AsOfState(ledger: ledger, seq: handover.seq)
        } catch {
            throw .replay(error)
        }
    }

    /// Runs `body` in one read transaction of the audited ledger.
    func read<T>(_ body: (LedgerSnapshot) throws -> T) throws(AuditError) -> T {
        try Self.read(ledger, body)
    }

    private static func read<T>(_ ledger: Ledger, _ body: (LedgerSnapshot) throws -> T) throws(AuditError) -> T {
        do {
            return try ledger.read(body)
        } catch let error as AuditError {
            throw error
        } catch {
            throw .ledger(LedgerError(reading: error, at: ledger.path))
        }
    }
}
