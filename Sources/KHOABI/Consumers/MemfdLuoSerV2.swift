/// `struct memfd_luo_ser` of `memfd-v2` (7.2 era, release unconfirmed):
/// packed, 48 bytes, adds the file seals.
///
/// | field | offset | size |
/// |---|---|---|
/// | pos | 0 | 8 |
/// | size | 8 | 8 |
/// | seals | 16 | 4 |
/// | flags | 20 | 4 |
/// | nr_folios | 24 | 8 |
/// | folios (`struct kho_vmalloc`) | 32 | 16 |
public struct MemfdLuoSerV2: Hashable, Sendable, FixedSizeRecord {
    /// The LUO file-handler compatible recorded in `luo_file_ser.compatible`.
    public static let compatible = "memfd-v2"
    public static let byteCount = 48
    public static let structureName = "memfd_luo_ser(v2)"
    /// Offset of the folio-array descriptor within the structure.
    public static let folioArrayDescriptorOffset = 32

    public var pos: UInt64
    public var size: UInt64
    /// The file's seals; only `MemfdSeals.supported` bits are valid.
    public var seals: MemfdSeals
    /// No flag bits are defined: must be 0.
    public var flags: UInt32
    public var nrFolios: UInt64
    /// The 16 raw bytes of the folio array's `struct kho_vmalloc`.
    public var folioArrayDescriptorBytes: [UInt8]

    public init(pos: UInt64, size: UInt64, seals: MemfdSeals, flags: UInt32 = 0, nrFolios: UInt64, folioArrayDescriptorBytes: [UInt8]) {
        self.pos = pos
        self.size = size
        self.seals = seals
        self.flags = flags
        self.nrFolios = nrFolios
        self.folioArrayDescriptorBytes = folioArrayDescriptorBytes
    }

    /// Decodes and rejects unknown seal bits and nonzero flags.
    public init(bytes: [UInt8]) throws(ConsumerError) {
        try Self.checkLength(bytes)
        pos = bytes.loadLittleEndian(UInt64.self, at: 0)
        size = bytes.loadLittleEndian(UInt64.self, at: 8)
        seals = MemfdSeals(rawValue: bytes.loadLittleEndian(UInt32.self, at: 16))
        flags = bytes.loadLittleEndian(UInt32.self, at: 20)
        nrFolios = bytes.loadLittleEndian(UInt64.self, at: 24)
        folioArrayDescriptorBytes = Array(bytes[32 ..< 48])
        try validate()
    }

    public func encode() throws(ConsumerError) -> [UInt8] {
        try validate()
        try MemfdFolioArrayDescriptor.check(folioArrayDescriptorBytes, structure: Self.structureName)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        bytes.appendLittleEndian(pos)
        bytes.appendLittleEndian(size)
        bytes.appendLittleEndian(seals.rawValue)
        bytes.appendLittleEndian(flags)
        bytes.appendLittleEndian(nrFolios)
        return bytes + folioArrayDescriptorBytes
    }

    private func validate() throws(ConsumerError) {
        guard seals.isSubset(of: .supported) else {
            throw .invalidField(structure: Self.structureName, field: "seals", value: UInt64(seals.rawValue))
        }
        guard flags == 0 else {
            throw .invalidField(structure: Self.structureName, field: "flags", value: UInt64(flags))
        }
    }
}
