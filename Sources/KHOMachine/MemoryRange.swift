import KHOABI

/// A half-open physical range [address, address + size), e.g. a scratch area.
public struct MemoryRange: Hashable, Sendable, Codable, CustomStringConvertible {
    public var address: UInt64
    public var size: UInt64

    public init(address: UInt64, size: UInt64) {
        self.address = address
        self.size = size
    }

    public var end: UInt64 { address + size }

    /// The kernel's overlap test: p < addr + size and p + s > addr.
    public func overlaps(address other: UInt64, size otherSize: UInt64) -> Bool {
        other < end && other + otherSize > address
    }

    public func contains(_ phys: UInt64) -> Bool { phys >= address && phys < end }

    public var description: String { "[\(hex(address)), \(hex(end)))" }
}
