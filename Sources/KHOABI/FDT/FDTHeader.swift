/// The 40-byte header of a flattened device tree (all fields big-endian).
public struct FDTHeader: Hashable, Sendable {
    /// Bytes in a version-17 header.
    public static let size = 40
    /// The value of `magic` in every valid tree.
    public static let magicValue: UInt32 = 0xd00d_feed
    /// The oldest `version` read: earlier trees store full paths as node
    /// names, and libfdt 1.6's `fdt_check_full` dereferences NULL on some.
    public static let minimumVersion: UInt32 = 16

    public let magic: UInt32
    /// Bytes of the whole tree, header included.
    public let totalSize: UInt32
    /// Offset of the structure block.
    public let structureOffset: UInt32
    /// Offset of the strings block.
    public let stringsOffset: UInt32
    /// Offset of the memory-reservation map.
    public let reservationMapOffset: UInt32
    public let version: UInt32
    public let lastCompatibleVersion: UInt32
    public let bootCPU: UInt32
    /// Bytes of the strings block.
    public let stringsSize: UInt32
    /// Bytes of the structure block.
    public let structureSize: UInt32

    /// Reads the header fields from the first 40 bytes of `bytes`.
    public init(bytes: [UInt8]) throws(FDTError) {
        guard bytes.count >= Self.size else { throw .truncatedHeader(bufferSize: bytes.count) }
        func field(_ index: Int) -> UInt32 {
            bytes[index * 4 ..< index * 4 + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        magic = field(0)
        totalSize = field(1)
        structureOffset = field(2)
        stringsOffset = field(3)
        reservationMapOffset = field(4)
        version = field(5)
        lastCompatibleVersion = field(6)
        bootCPU = field(7)
        stringsSize = field(8)
        structureSize = field(9)
    }
}
