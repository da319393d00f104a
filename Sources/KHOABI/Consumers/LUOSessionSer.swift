/// `struct luo_session_ser`: one preserved session, packed, 80 bytes:
/// name[64] @0 (NUL-terminated), files u64 @64 (physical address of its
/// `LUOFileSer` array), count u64 @72 (files in it).
public struct LUOSessionSer: Hashable, Sendable, FixedSizeRecord {
    public static let byteCount = 80
    public static let structureName = "luo_session_ser"
    /// Capacity of `name`, NUL included (uapi `LIVEUPDATE_SESSION_NAME_LENGTH`).
    public static let nameCapacity = 64

    public var name: String
    /// Physical address of the session's file array.
    public var files: UInt64
    /// Entries in the file array.
    public var count: UInt64

    public init(name: String, files: UInt64, count: UInt64) {
        self.name = name
        self.files = files
        self.count = count
    }

    public init(bytes: [UInt8]) throws(ConsumerError) {
        try Self.checkLength(bytes)
        name = try Self.nameField.decode(bytes[0 ..< 64])
        files = bytes.loadLittleEndian(UInt64.self, at: 64)
        count = bytes.loadLittleEndian(UInt64.self, at: 72)
    }

    public func encode() throws(ConsumerError) -> [UInt8] {
        var bytes = try Self.nameField.encode(name)
        bytes.appendLittleEndian(files)
        bytes.appendLittleEndian(count)
        return bytes
    }

    private static let nameField = FixedCString(structure: structureName, field: "name", capacity: nameCapacity)
}
