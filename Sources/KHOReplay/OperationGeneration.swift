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
    init(_ snapshot: LedgerSnapshot, seq: Int64) throws {
        guard let found = try OpGeneration.fetchOne(snapshot, seq: seq) else {
            guard let last = try OpSeqs.last(snapshot) else { throw ReplayError.emptyLedger }
            throw ReplayError.pointOutOfRange("\(seq)", "the ledger has seqs 1…\(last)")
        }
        self.seq = seq
        generation = found.generation
        lineage = found.lineage
        geometry = found.layout.geometry
        memory = found.layout.memory
        kernel = found.kernel
        do {
            abi = try ABIGeneration.detect(compatible: Array(found.compatible.utf8), bitmapVariant: kernel?.abi.bitmapVariant ?? .v1b)
        } catch {
            throw ReplayError.ledger(.inconsistent("\(snapshot.path): generation \(generation): \(error)"))
        }
    }
}
