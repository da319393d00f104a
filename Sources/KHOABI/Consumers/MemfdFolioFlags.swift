/// The flags of a preserved memfd folio (12-bit field; unknown bits are kept).
public struct MemfdFolioFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `MEMFD_LUO_FOLIO_DIRTY`.
    public static let dirty = MemfdFolioFlags(rawValue: 1 << 0)
    /// `MEMFD_LUO_FOLIO_UPTODATE`.
    public static let uptodate = MemfdFolioFlags(rawValue: 1 << 1)
}
