/// `struct memfd_luo_ser` of `memfd-v1` (6.19 to at least 7.0): the state of
/// one preserved memfd, packed, 40 bytes.
///
/// | field | offset | size |
/// |---|---|---|
/// | pos | 0 | 8 |
/// | size | 8 | 8 |
/// | nr_folios | 16 | 8 |
/// | folios (`struct kho_vmalloc`) | 24 | 16 |
public struct MemfdLuoSer: Hashable, Sendable, FixedSizeRecord {
    /// The LUO file-handler compatible recorded in `luo_file_ser.compatible`.
    public static let compatible = "memfd-v1"
    public static let byteCount = 40
    public static let structureName = "memfd_luo_ser"
    /// Offset of the folio-array descriptor: its physical address is the
    /// structure's address plus this.
    public static let folioArrayDescriptorOffset = 24

    /// The file position.
    public var pos: UInt64
    /// The file size (`i_size`).
    public var size: UInt64
    /// Entries in the folio array.
    public var nrFolios: UInt64
    /// The 16 raw bytes of the `struct kho_vmalloc` describing the vmalloc'ed
    /// array of `memfd_luo_folio_ser` (all zero when `size` is 0).
    public var folioArrayDescriptorBytes: [UInt8]

    public init(pos: UInt64, size: UInt64, nrFolios: UInt64, folioArrayDescriptorBytes: [UInt8]) {
        self.pos = pos
        self.size = size
        self.nrFolios = nrFolios
        self.folioArrayDescriptorBytes = folioArrayDescriptorBytes
    }

    public init(bytes: [UInt8]) throws(ConsumerError) {
        try Self.checkLength(bytes)
        pos = bytes.loadLittleEndian(UInt64.self, at: 0)
        size = bytes.loadLittleEndian(UInt64.self, at: 8)
        nrFolios = bytes.loadLittleEndian(UInt64.self, at: 16)
        folioArrayDescriptorBytes = Array(bytes[24 ..< 40])
    }

    public func encode() throws(ConsumerError) -> [UInt8] {
        try MemfdFolioArrayDescriptor.check(folioArrayDescriptorBytes, structure: Self.structureName)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        bytes.appendLittleEndian(pos)
        bytes.appendLittleEndian(size)
        bytes.appendLittleEndian(nrFolios)
        return bytes + folioArrayDescriptorBytes
    }
}
