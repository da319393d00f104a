/// `struct memfd_luo_folio_ser`: one entry of a memfd's folio array, packed,
/// 16 bytes.
///
/// The first little-endian u64 holds the pfn in bits 0–51 and the flags in
/// bits 52–63 (GCC/Clang little-endian bit-field allocation); `index` (the
/// folio's page offset in the file) follows at offset 8. pfn 0 marks an
/// empty slot.
public struct MemfdLuoFolioSer: Hashable, Sendable, FixedSizeRecord {
    public static let byteCount = 16
    public static let structureName = "memfd_luo_folio_ser"
    /// Width of the pfn bit-field.
    public static let pfnBits = 52
    /// Width of the flags bit-field.
    public static let flagBits = 12

    public var pfn: UInt64
    public var flags: MemfdFolioFlags
    public var index: UInt64

    public init(pfn: UInt64, flags: MemfdFolioFlags, index: UInt64) {
        self.pfn = pfn
        self.flags = flags
        self.index = index
    }

    public init(bytes: [UInt8]) throws(ConsumerError) {
        try Self.checkLength(bytes)
        let word = bytes.loadLittleEndian(UInt64.self, at: 0)
        pfn = word & (1 << Self.pfnBits - 1)
        flags = MemfdFolioFlags(rawValue: UInt16(word >> Self.pfnBits))
        index = bytes.loadLittleEndian(UInt64.self, at: 8)
    }

    /// Throws when the pfn needs more than 52 bits or the flags more than 12.
    public func encode() throws(ConsumerError) -> [UInt8] {
        guard pfn >> Self.pfnBits == 0 else {
            throw .invalidField(structure: Self.structureName, field: "pfn", value: pfn)
        }
        guard flags.rawValue >> Self.flagBits == 0 else {
            throw .invalidField(structure: Self.structureName, field: "flags", value: UInt64(flags.rawValue))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        bytes.appendLittleEndian(pfn | UInt64(flags.rawValue) << Self.pfnBits)
        bytes.appendLittleEndian(index)
        return bytes
    }
}
