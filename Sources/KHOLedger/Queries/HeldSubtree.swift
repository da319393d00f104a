/// A subnode of the root FDT holding at a point.
public struct HeldSubtree: Equatable, Sendable {
    /// Added by this generation, or found in the FDT the previous one handed
    /// over. Raw values are the ledger's `direction` column.
    public enum Direction: String, Codable, Sendable {
        case outgoing = "out"
        case incoming = "in"
    }

    public var direction: Direction
    public var name: String
    /// The blob's address.
    public var phys: UInt64
    /// `blob-size` (kho-v3 and later).
    public var size: UInt64?
    /// Lowercase hex SHA-256 of the blob's bytes as recorded when the
    /// subtree was added; nil when none were recorded (incoming subtrees).
    public var blobSHA256: String?
    /// The operation that added or found it.
    public var fromSeq: Int64
}
