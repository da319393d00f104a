/// `struct luo_flb_header_ser` (`luo-flb-v1`): 16 bytes at the head of the
/// block the `luo-flb` node points to; `count` `luo_flb_ser` entries follow.
public struct LUOFLBHeaderSer: Hashable, Sendable, FixedSizeRecord {
    public static let byteCount = 16
    public static let structureName = "luo_flb_header_ser"

    /// Pages of the whole block, header included (`LUO_FLB_PGCNT`, 1).
    public var pageCount: UInt64
    /// Entries following the header.
    public var count: UInt64

    public init(pageCount: UInt64, count: UInt64) {
        self.pageCount = pageCount
        self.count = count
    }

    public init(bytes: [UInt8]) throws(ConsumerError) {
        try Self.checkLength(bytes)
        pageCount = bytes.loadLittleEndian(UInt64.self, at: 0)
        count = bytes.loadLittleEndian(UInt64.self, at: 8)
    }

    public func encode() throws(ConsumerError) -> [UInt8] {
        .littleEndian(pageCount) + .littleEndian(count)
    }
}
