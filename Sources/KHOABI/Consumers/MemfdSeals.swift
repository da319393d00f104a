/// The uapi `F_SEAL_*` bits a `memfd-v2` structure records.
public struct MemfdSeals: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `F_SEAL_SEAL`: no further seals may be added.
    public static let seal = MemfdSeals(rawValue: 0x1)
    /// `F_SEAL_SHRINK`.
    public static let shrink = MemfdSeals(rawValue: 0x2)
    /// `F_SEAL_GROW`.
    public static let grow = MemfdSeals(rawValue: 0x4)
    /// `F_SEAL_WRITE`.
    public static let write = MemfdSeals(rawValue: 0x8)
    /// `F_SEAL_FUTURE_WRITE`.
    public static let futureWrite = MemfdSeals(rawValue: 0x10)
    /// `F_SEAL_EXEC`.
    public static let exec = MemfdSeals(rawValue: 0x20)

    /// Every seal memfd preservation supports; other bits are rejected.
    public static let supported: MemfdSeals = [.seal, .shrink, .grow, .write, .futureWrite, .exec]
}
