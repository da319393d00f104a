/// `struct luo_file_ser`: one preserved file of a session, packed, 64 bytes:
/// compatible[48] @0 (the file handler, e.g. `memfd-v1`), data u64 @48
/// (handler-specific, for memfd the physical address of its
/// `memfd_luo_ser`), token u64 @56 (the user's identifier for the file).
public struct LUOFileSer: Hashable, Sendable, FixedSizeRecord {
    public static let byteCount = 64
    public static let structureName = "luo_file_ser"
    /// Capacity of `compatible`, NUL included.
    public static let compatibleCapacity = 48

    public var compatible: String
    public var data: UInt64
    public var token: UInt64

    public init(compatible: String, data: UInt64, token: UInt64) {
        self.compatible = compatible
        self.data = data
        self.token = token
    }

    public init(bytes: [UInt8]) throws(ConsumerError) {
        try Self.checkLength(bytes)
        compatible = try Self.compatibleField.decode(bytes[0 ..< 48])
        data = bytes.loadLittleEndian(UInt64.self, at: 48)
        token = bytes.loadLittleEndian(UInt64.self, at: 56)
    }

    public func encode() throws(ConsumerError) -> [UInt8] {
        var bytes = try Self.compatibleField.encode(compatible)
        bytes.appendLittleEndian(data)
        bytes.appendLittleEndian(token)
        return bytes
    }

    private static let compatibleField = FixedCString(
        structure: structureName, field: "compatible", capacity: compatibleCapacity)
}
