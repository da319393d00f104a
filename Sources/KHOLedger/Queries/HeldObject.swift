/// A preserved or restored folio, page range or `kho_alloc_preserve` blob
/// holding at a point.
public struct HeldObject: Equatable, Sendable {
    /// The ledger's `object.id`.
    public var objectID: Int64
    public var kind: ObjectKind
    public var name: String
    /// Physical address of its first block.
    public var phys: UInt64
    /// Base pages it covers.
    public var totalPages: UInt64
    /// The operation that preserved or restored it.
    public var fromSeq: Int64
}
