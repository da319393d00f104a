import KHOABI
import KHOLedger

/// What a ledger says was true right after one operation: the preserved
/// blocks of that operation's generation, its vmalloc areas and other
/// objects, the root FDT's subtrees, and byte totals.
///
/// Read from the interval tables (`preserved_run`, `object`, `subtree`,
/// whose rows hold over `[from_seq, to_seq)`) in one read transaction, with
/// index range scans over the point's generation only; nothing is replayed.
/// At a `kexec` operation the state is the handover itself (the outgoing
/// generation's rows are closed one seq later).
public struct AsOfState: Equatable, Sendable {
    /// A vmalloc area, preserved or rebuilt by a restore.
    public typealias Area = HeldArea
    /// A preserved or restored folio, page range or `kho_alloc_preserve` blob.
    public typealias Object = HeldObject
    /// A subnode of the root FDT.
    public typealias Subtree = HeldSubtree

    /// The operation the state follows.
    public let seq: Int64
    /// That operation's generation.
    public let generation: Int64
    /// The cold boot the generation descends from (page contents are per lineage).
    public let lineage: Int64
    /// The generation's page geometry.
    public let geometry: PageGeometry
    /// The kernel release the generation's machine followed (nil for
    /// imports, traces and ledgers made before releases were modelled).
    public let kernel: KernelRelease?
    /// The generation's handover ABI (a kho-v1 generation of unknown release
    /// reads as v1b).
    public let abi: ABIGeneration
    public var memoryBase: UInt64 { memory.base }
    /// Bytes of RAM (from the generation row).
    public var memorySize: UInt64 { memory.size }
    /// The generation's memory, checked.
    public let memory: GenerationMemory
    /// Every preserved block, sorted by address then order.
    public let preserved: [PreservedBlock]
    /// vmalloc areas, in the order they were preserved or restored.
    public let areas: [Area]
    /// Every other object, in the order it was preserved or restored.
    public let objects: [Object]
    /// Subtrees, outgoing and incoming, in the order they were added or found.
    public let subtrees: [Subtree]

    /// Bytes in preserved blocks.
    public var preservedBytes: UInt64 { preserved.reduce(0) { $0 + geometry.bytes(order: $1.order) } }
    /// Bytes of RAM outside preserved blocks (zero when the blocks cover more than RAM).
    public var unpreservedBytes: UInt64 { memorySize - min(memorySize, preservedBytes) }
    /// Bytes of vmalloc areas (`total_pages` × page size).
    public var areaBytes: UInt64 { areas.reduce(0) { $0 + $1.totalPages * UInt64(geometry.pageSize) } }
    /// Bytes of the other objects.
    public var objectBytes: UInt64 { objects.reduce(0) { $0 + $1.totalPages * UInt64(geometry.pageSize) } }
    /// The KHO page metadata a kernel booted from this state's handover
    /// holds: what its restores check.
    public var heads: PreservedHeads {
        PreservedHeads(tracker: preserved, geometry: geometry, abi: abi, maxPageOrder: geometry.maxPageOrder)
    }

    /// The preserved blocks as runs of contiguous blocks of one order.
    public var preservedRuns: [BlockRun] { BlockRun.runs(of: preserved, geometry: geometry) }
}

extension AsOfState {
    /// The state of `ledger` right after operation `seq`.
    public init(ledger: Ledger, seq: Int64) throws(ReplayError) {
        self = try ledger.asOfRead { snapshot in try AsOfState(snapshot, seq: seq) }
    }

    /// The state right after operation `seq`, read from `snapshot`.
    init(_ snapshot: LedgerSnapshot, seq: Int64) throws {
        let point = try OperationGeneration(snapshot, seq: seq)
        self.seq = seq
        generation = point.generation
        lineage = point.lineage
        geometry = point.geometry
        kernel = point.kernel
        abi = point.abi
        memory = point.memory
        preserved = try HeldRows.preservedBlocks(snapshot, generation: point.generation, seq: seq,
                                                 geometry: point.geometry, memory: point.memory)
        (areas, objects) = try HeldRows.objects(snapshot, generation: point.generation, seq: seq, geometry: point.geometry)
        subtrees = try HeldRows.subtrees(snapshot, generation: point.generation, seq: seq)
    }
}
