import KHOABI

/// A vmalloc area that ``VmallocRestorer`` walked and read successfully.
///
/// Holds where the area lives, not its bytes: the bytes went to the
/// restorer's sink as they were read, and `sha256` covers them in restore
/// order (block by block, as the kernel maps them).
public struct RestoredArea: Hashable, Sendable {
    /// The descriptor as read (flags with unknown bits kept; see ``flags``).
    public let descriptor: VmallocDescriptor
    /// Bytes per base page of the geometry the area was restored with.
    public let pageSize: Int
    /// Physical address of every chunk page, in chain order (a trailing empty
    /// chunk included).
    public let chunkPhys: [UInt64]
    /// Physical address of every block, in area order.
    public let blockPhys: [UInt64]
    /// Lowercase hex SHA-256 of the area's bytes.
    public let sha256: String

    public init(descriptor: VmallocDescriptor, pageSize: Int, chunkPhys: [UInt64], blockPhys: [UInt64], sha256: String) {
        self.descriptor = descriptor
        self.pageSize = pageSize
        self.chunkPhys = chunkPhys
        self.blockPhys = blockPhys
        self.sha256 = sha256
    }

    /// Bytes in the area: `total_pages` × page size.
    public var size: UInt64 { UInt64(descriptor.totalPages) * UInt64(pageSize) }

    /// Order of every block.
    public var order: Int { Int(descriptor.order) }

    /// The flags the restoring kernel keeps (unknown bits dropped).
    public var flags: VmallocFlags { descriptor.flags.restored }
}
