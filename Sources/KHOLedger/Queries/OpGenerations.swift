import GRDB
import KHOABI

/// The generation an operation ran in, as its `generation` row states it:
/// the machine (lineage), pages and memory, and the kernel and handover ABI
/// every answer as of that operation reads pages with.
public struct OpGeneration: Sendable {
    public let generation: Int64
    /// The cold boot the generation descends from.
    public let lineage: Int64
    /// Its pages and RAM.
    public let layout: GenerationLayout
    /// Its handover ABI's `compatible` string (the `abi` column), unchecked.
    public let compatible: String
    /// The kernel release its machine followed; nil for imports, traces,
    /// ledgers made before releases were modelled, and releases this build
    /// does not know.
    public let kernel: KernelRelease?

    /// The generation of operation `seq`; nil when the ledger has no such operation.
    public static func fetchOne(_ snapshot: LedgerSnapshot, seq: Int64) throws -> OpGeneration? {
        try Row.fetchOne(snapshot.db, sql: """
            SELECT o.generation, g.lineage, g.page_size, g.memory_base, g.memory_size, g.abi, g.kernel
            FROM op o JOIN generation g ON g.generation = o.generation WHERE o.seq = ?
            """, arguments: [seq]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "generation", key: "generation")
            let generation = try row.integer("generation"), lineage = try row.integer("lineage")
            let geometry = try row.geometry("page_size")
            let compatible = try row.text("abi")
            let kernel = try row.optionalText("kernel").flatMap(KernelRelease.init(rawValue:))
            return OpGeneration(generation: generation, lineage: lineage,
                                layout: GenerationLayout(geometry: geometry, memory: try GenerationMemory(row, geometry: geometry)),
                                compatible: compatible, kernel: kernel)
        }
    }
}
