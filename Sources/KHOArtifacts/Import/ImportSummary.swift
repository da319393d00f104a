import KHOABI
import KHOReplay

/// A vmalloc area an import recorded, as the restore walk found it.
public struct ImportedArea: Sendable {
    public var area: NamedArea
    /// Its descriptor, chunk pages, blocks and the SHA-256 of its bytes.
    public var restored: RestoredArea
}

/// What an import added to the ledger.
public struct ImportSummary: Sendable {
    /// The new generation.
    public var generation: Int64
    /// Its boot operation.
    public var bootSeq: Int64
    /// Its handover (`gen:G` names this seq).
    public var kexecSeq: Int64
    /// The ABI generation the root FDT names.
    public var abi: ABIGeneration
    public var geometry: PageGeometry
    /// The root FDT's `preserved-memory-map`.
    public var trackerRoot: UInt64
    /// The preserved page holding the root FDT's bytes; nil when none does.
    public var fdtPhys: UInt64?
    /// The tracker walk, sorted.
    public var preserved: [PreservedBlock]
    /// The subtrees in FDT order, with their sizes.
    public var subtrees: [KHOSubtree]
    /// The vmalloc areas, consumer-found ones first, then the named ones.
    public var areas: [ImportedArea]
    /// The capture's kexec-metadata: the release of the kernel that handed
    /// over and its kexec count (7.1+ kernels; nil when none or unusable).
    public var kexecMetadata: KexecMetadata?
    /// The debugfs folder's side, the releases that lay it out so and its
    /// boot memory (recorded with the kexec), for a debugfs capture.
    public var debugfs: DebugfsFindings?
    /// Consumer formats that could not be decoded, and other remarks.
    public var notes: [String]

    /// Bytes in preserved blocks.
    public var preservedBytes: UInt64 { preserved.reduce(0) { $0 + geometry.bytes(order: $1.order) } }
}
