import Foundation
import KHOABI

/// The rows one operation adds to the ledger, and the values it sets in
/// rows it ends; together with the previous hash they determine the op's
/// hash.
///
/// A boot's op covers the generation row it starts, a kexec's the handover
/// it records in that row (``HandoverRow``), and every op the intervals it
/// ends (``IntervalEnds``). `preserved_run` is not covered: it is re-derived
/// from `op_change` by `kholedger audit --chain`.
public struct OpRows: Equatable, Sendable {
    public var op: OpRow
    public var changes: [ChangeRow] = []
    public var objects: [ObjectRows] = []
    public var contents: [ContentRow] = []
    public var subtrees: [SubtreeRow] = []
    public var bootMemory: [BootMemoryRow] = []
    /// The generation a boot starts.
    public var generation: GenerationRow?
    /// What a kexec records in its generation's row.
    public var handover: HandoverRow?
    /// The intervals this op ends.
    public var ends = IntervalEnds()

    public init(op: OpRow) { self.op = op }
}

/// A row of `op` (without its hashes).
public struct OpRow: Equatable, Sendable {
    public var seq: Int64
    public var generation: Int64
    public var time: String
    public var kind: String
    public var subject: String?
    /// JSON object text.
    public var args: String
    public var result: String
    public var errno: Int64?
    public var detail: String?
}

/// A row of `op_change`: blocks the op added, removed or restored.
public struct ChangeRow: Equatable, Sendable {
    public var part: Int64
    public var action: String
    /// The row's `phys`, `ord` and `count`, as stored.
    public var run: BlockRun
    /// The row's `blocks` as stored: nil for a contiguous run, else the
    /// blocks' page frame numbers (``PackedBlocks``).
    public var blocks: String? = nil
}

/// A row of `object` with its extents and chunk pages.
public struct ObjectRows: Equatable, Sendable {
    public var kind: String
    public var name: String
    public var descriptorPhys: Int64?
    public var firstChunk: Int64?
    public var totalPages: Int64?
    public var flags: Int64?
    public var ord: Int64?
    public var extents: [ExtentRow] = []
    public var chunks: [ChunkRow] = []
}

/// A row of `object_extent`: the object's blocks from `firstIndex` on.
public struct ExtentRow: Equatable, Sendable {
    public var firstIndex: Int64
    /// The row's `phys`, `ord` and `count`, as stored.
    public var run: BlockRun
    /// The row's `blocks` as stored: nil for a contiguous run, else the
    /// blocks' page frame numbers (``PackedBlocks``).
    public var blocks: String? = nil
}

/// A row of `chunk`.
public struct ChunkRow: Equatable, Sendable {
    public var idx: Int64
    public var phys: Int64
    public var next: Int64
    public var entries: Int64
    public var bytes: Data
}

/// A new interval of `page_content`: the page at `phys` holds the data
/// with SHA-256 `hash` from this op on.
public struct ContentRow: Equatable, Sendable {
    public var phys: Int64
    public var hash: Data
}

/// A row of `subtree`.
public struct SubtreeRow: Equatable, Sendable {
    public var direction: String
    public var name: String
    public var phys: Int64
    public var size: Int64?
    public var blob: Data?
}

/// A row of `boot_memory`: range `idx` of the boot memory a kexec hands over.
public struct BootMemoryRow: Equatable, Sendable {
    /// `scratch` or `bootmem`, as the kernel calls it.
    public var name: String
    public var idx: Int64
    public var phys: Int64
    public var size: Int64
}
