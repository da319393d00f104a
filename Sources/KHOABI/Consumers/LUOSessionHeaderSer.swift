/// `struct luo_session_header_ser` (`luo-session-v1`): 8 bytes, the number
/// of `LUOSessionSer` entries that follow it directly.
public struct LUOSessionHeaderSer: Hashable, Sendable, FixedSizeRecord {
    public static let byteCount = 8
    public static let structureName = "luo_session_header_ser"

    /// Sessions following the header.
    public var count: UInt64

    public init(count: UInt64) {
        self.count = count
    }

    public init(bytes: [UInt8]) throws(ConsumerError) {
        try Self.checkLength(bytes)
        count = bytes.loadLittleEndian(UInt64.self, at: 0)
    }

    public func encode() throws(ConsumerError) -> [UInt8] {
        .littleEndian(count)
    }
}
