import Foundation
import GRDB
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
        let geometry: PageGeometry
        /// Its RAM.
        let memory: GenerationMemory
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

    /// `:end` and `:generation` for queries over the audited operations.
    var arguments: StatementArguments { ["end": end, "generation": generation] }

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
        let rows = try Self.read(ledger) { db in
            try Row.fetchAll(db, sql: """
                SELECT g.generation, g.page_size, g.memory_base, g.memory_size, g.boot_seq, g.kexec_seq, g.fdt_phys, g.machine,
                       (SELECT max(seq) FROM op WHERE op.generation = g.generation AND op.seq <= :end) AS handover,
                       (SELECT c.generation FROM generation c WHERE c.parent = g.generation AND c.boot_seq <= :end) AS child
                FROM generation g
                WHERE g.boot_seq <= :end AND (:generation IS NULL OR g.generation = :generation)
                ORDER BY g.generation
                """, arguments: ["end": end, "generation": generation])
        }
        if let generation, rows.isEmpty { throw try Self.missing(generation, ledger: ledger, end: end) }
        handovers = try rows.map { columns throws(AuditError) in
            let row = LedgerRow(columns, table: "generation", key: "generation")
            do throws(CorruptRow) {
                let geometry = try row.geometry("page_size")
                let boot = try row.integer("boot_seq")
                let seq = try row.optionalInteger("handover") ?? boot
                let kexec = try row.optionalInteger("kexec_seq")
                return Handover(generation: try row.integer("generation"), geometry: geometry, memory: try GenerationMemory(row, geometry: geometry),
                                seq: seq, isKexec: kexec == seq,
                                child: kexec == seq ? try row.optionalInteger("child") : nil,
                                fdtPhys: try row.optionalAddress("fdt_phys"),
                                machine: try row.optionalText("machine").flatMap { try? JSONDecoder().decode(MachineConfig.self, from: Data($0.utf8)) })
            } catch {
                throw .replay(.corruptRow(path: ledger.path, error))
            }
        }
    }

    /// Why `generation` has nothing to audit up to `end`.
    private static func missing(_ generation: Int64, ledger: Ledger, end: Int64) throws(AuditError) -> AuditError {
        let row = try read(ledger) { db in
            try Row.fetchOne(db, sql: """
                SELECT (SELECT boot_seq FROM generation WHERE generation = ?) AS boot, (SELECT max(generation) FROM generation) AS last
                """, arguments: [generation])
        }
        let answer = row.map { LedgerRow($0, table: "generation", key: "generation") }
        if let boot = try? answer?.optionalInteger("boot") {
            return .unknownGeneration(generation, "it boots at seq \(boot), after the audited point (seq \(end))")
        }
        let last = try? answer?.optionalInteger("last")
        return .unknownGeneration(generation, last.map { "the ledger has generations 0…\($0)" } ?? "the ledger has none")
    }

    /// The page geometry of an audited generation.
    func geometry(of generation: Int64) throws(AuditError) -> PageGeometry {
        guard let handover = handovers.first(where: { $0.generation == generation }) else {
            throw .ledger("generation \(generation) is not in the audited scope")
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

    /// Reads values from rows with `body`; a ``CorruptRow`` is the audited
    /// ledger's ``ReplayError/corruptRow(path:_:)`` (a `corrupt-row` finding).
    func checked<T>(_ body: () throws(CorruptRow) -> T) throws(AuditError) -> T {
        do {
            return try body()
        } catch {
            throw .replay(.corruptRow(path: ledger.path, error))
        }
    }

    /// Runs `body` in one read transaction of the audited ledger.
    func read<T>(_ body: (Database) throws -> T) throws(AuditError) -> T {
        try Self.read(ledger, body)
    }

    private static func read<T>(_ ledger: Ledger, _ body: (Database) throws -> T) throws(AuditError) -> T {
        do {
            return try ledger.database.read(body)
        } catch let error as AuditError {
            throw error
        } catch let row as CorruptRow {
            throw .replay(.corruptRow(path: ledger.path, row))
        } catch {
            throw .ledger("\(ledger.path): \(error)")
        }
    }
}
