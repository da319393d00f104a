import Foundation
import GRDB
import KHOABI
import KHOMachine

/// A generation as the ledger states it up to a point (a seq): its pages,
/// memory and machine, its last operation by then, and the generation its
/// kexec booted by then. An audit checks each generation's handover there.
public struct HandoverGeneration: Sendable {
    public let generation: Int64
    /// Its pages and RAM.
    public let layout: GenerationLayout
    /// The seq of its boot.
    public let bootSeq: Int64
    /// Its last operation up to the point; nil when it has none by then.
    public let lastSeq: Int64?
    /// The seq of its kexec, if it kexec'd (at any point).
    public let kexecSeq: Int64?
    /// The generation its kexec booted, when that booted by the point.
    public let child: Int64?
    /// KHO's own root FDT page (preserved at boot, handed over with every kexec).
    public let fdtPhys: UInt64?
    /// The emulated machine's configuration (simulated generations only;
    /// nil too when the stored configuration does not decode).
    public let machine: MachineConfig?

    /// Reads a row of ``fetchAll(_:through:generation:)``'s statement.
    private init(_ row: LedgerRow<Row>) throws(CorruptRow) {
        let geometry = try row.geometry("page_size")
        bootSeq = try row.integer("boot_seq")
        lastSeq = try row.optionalInteger("handover")
        kexecSeq = try row.optionalInteger("kexec_seq")
        generation = try row.integer("generation")
        layout = GenerationLayout(geometry: geometry, memory: try GenerationMemory(row, geometry: geometry))
        child = try row.optionalInteger("child")
        fdtPhys = try row.optionalAddress("fdt_phys")
        machine = try row.optionalText("machine").flatMap { try? JSONDecoder().decode(MachineConfig.self, from: Data($0.utf8)) }
    }

    /// The generations booted by seq `end` (only `generation` when given), in order.
    public static func fetchAll(_ snapshot: LedgerSnapshot, through end: Int64, generation: Int64?) throws -> [HandoverGeneration] {
        try Row.fetchAll(snapshot.db, sql: """
            SELECT g.generation, g.page_size, g.memory_base, g.memory_size, g.boot_seq, g.kexec_seq, g.fdt_phys, g.machine,
                   (SELECT max(seq) FROM op WHERE op.generation = g.generation AND op.seq <= :end) AS handover,
                   (SELECT c.generation FROM generation c WHERE c.parent = g.generation AND c.boot_seq <= :end) AS child
            FROM generation g
            WHERE g.boot_seq <= :end AND (:generation IS NULL OR g.generation = :generation)
            ORDER BY g.generation
            """, arguments: ["end": end, "generation": generation]).map { try HandoverGeneration(LedgerRow($0, table: "generation", key: "generation")) }
    }

    /// The boot seq of `generation` and the ledger's last generation, to say
    /// why a generation is not among ``fetchAll(_:through:generation:)``'s:
    /// each nil when the ledger has none or its value is not an integer.
    public static func fetchBoot(_ snapshot: LedgerSnapshot, of generation: Int64) throws -> (bootSeq: Int64?, lastGeneration: Int64?) {
        let row = try Row.fetchOne(snapshot.db, sql: """
            SELECT (SELECT boot_seq FROM generation WHERE generation = ?) AS boot, (SELECT max(generation) FROM generation) AS last
            """, arguments: [generation]).map { LedgerRow($0, table: "generation", key: "generation") }
        return (try? row?.optionalInteger("boot"), try? row?.optionalInteger("last"))
    }

    /// The seq of each generation's kexec, by generation (the first row
    /// of a generation repeated); a seq is below 2^63 - 1.
    public static func fetchKexecSeqs(_ snapshot: LedgerSnapshot) throws -> [Int64: Int64] {
        Dictionary(try Row.fetchAll(snapshot.db, sql: "SELECT generation, kexec_seq FROM generation WHERE kexec_seq IS NOT NULL").map {
            let row = LedgerRow($0, table: "generation", key: "generation")
            return (try row.integer("generation"), try row.integer("kexec_seq", in: 0 ... .max - 1, expected: "a seq below 2^63 - 1"))
        }, uniquingKeysWith: { first, _ in first })
    }
}
