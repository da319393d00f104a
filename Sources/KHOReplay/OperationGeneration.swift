import GRDB
import KHOABI
import KHOLedger

/// The generation an operation ran in, as its `generation` row states it:
/// the machine (lineage), page geometry, memory, kernel release and
/// handover ABI every answer as of that operation reads pages with.
struct OperationGeneration {
    /// The operation.
    let seq: Int64
    let generation: Int64
    /// The cold boot the generation descends from.
    let lineage: Int64
    let geometry: PageGeometry
    let memory: GenerationMemory
    /// Nil for imports, traces and ledgers made before releases were modelled.
    let kernel: KernelRelease?
    /// A kho-v1 generation of unknown release reads as v1b.
    let abi: ABIGeneration

    /// The generation of operation `seq`; a seq the ledger lacks is a
    /// ``ReplayError/pointOutOfRange(_:_:)`` (``ReplayError/emptyLedger`` without operations).
    init(_ db: Database, seq: Int64) throws {
        guard let columns = try Row.fetchOne(db, sql: """
            SELECT o.generation, g.lineage, g.page_size, g.memory_base, g.memory_size, g.abi, g.kernel
            FROM op o JOIN generation g ON g.generation = o.generation WHERE o.seq = ?
            """, arguments: [seq]) else {
            guard let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM op") else { throw ReplayError.emptyLedger }
            throw ReplayError.pointOutOfRange("\(seq)", "the ledger has seqs 1…\(last)")
        }
        self.seq = seq
        let row = LedgerRow(columns, table: "generation", key: "generation")
        generation = try row.integer("generation")
        lineage = try row.integer("lineage")
        geometry = try row.geometry("page_size")
        let compatible = try row.text("abi")
        kernel = try row.optionalText("kernel").flatMap(KernelRelease.init(rawValue:))
        do {
            abi = try ABIGeneration.detect(compatible: Array(compatible.utf8), bitmapVariant: kernel?.abi.bitmapVariant ?? .v1b)
        } catch {
            throw ReplayError.ledger("generation \(generation): \(error)")
        }
        memory = try GenerationMemory(row, geometry: geometry)
    }
}
