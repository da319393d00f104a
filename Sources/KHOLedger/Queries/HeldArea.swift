/// A vmalloc area holding at a point: preserved (with the descriptor it was
/// preserved into) or rebuilt by a restore (with the descriptor it was
/// restored from).
public struct HeldArea: Equatable, Sendable {
    /// The ledger's `object.id`.
    public var objectID: Int64
    /// ``ObjectKind/vmalloc`` or ``ObjectKind/restoredVmalloc``.
    public var kind: ObjectKind
    public var name: String
    /// Where the 16-byte `kho_vmalloc` descriptor lives.
    public var descriptorPhys: UInt64
    /// The descriptor's `first`.
    public var firstChunk: UInt64
    /// The descriptor's `total_pages`.
    public var totalPages: UInt64
    /// The descriptor's `order`.
    public var order: Int
    /// The descriptor's `flags`.
    public var flags: UInt16
    /// Chunk pages recorded for the area.
    public var chunks: Int
    /// The operation that preserved or restored it.
    public var fromSeq: Int64
}
