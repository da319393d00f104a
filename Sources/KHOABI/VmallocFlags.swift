/// The KHO vmalloc flags stored in a descriptor (`KHO_VMALLOC_*`).
///
/// At preserve time an area may carry only `VM_ALLOC` and `VM_ALLOW_HUGE_VMAP`;
/// anything else makes the kernel refuse with `-EOPNOTSUPP`. At restore the
/// kernel translates known bits back and silently drops unknown ones.
public struct VmallocFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `KHO_VMALLOC_ALLOC` (0x1), mirrors `VM_ALLOC`.
    public static let alloc = VmallocFlags(rawValue: 0x1)
    /// `KHO_VMALLOC_HUGE_VMAP` (0x2), mirrors `VM_ALLOW_HUGE_VMAP`.
    public static let hugeVmap = VmallocFlags(rawValue: 0x2)
    /// The flags the kernel supports.
    public static let supported: VmallocFlags = [.alloc, .hugeVmap]

    /// Validates `rawValue` the way preservation does: any bit outside
    /// `supported` is refused (the kernel's `-EOPNOTSUPP`).
    public init(validating rawValue: UInt16) throws(KHOABIError) {
        guard rawValue & ~Self.supported.rawValue == 0 else {
            throw .unsupportedVmallocFlags(rawValue)
        }
        self.init(rawValue: rawValue)
    }

    /// The flags the restoring kernel keeps: known bits only, unknown ones dropped.
    public var restored: VmallocFlags { intersection(.supported) }

    public var description: String {
        var names: [String] = []
        if contains(.alloc) { names.append("ALLOC") }
        if contains(.hugeVmap) { names.append("HUGE_VMAP") }
        let unknown = rawValue & ~Self.supported.rawValue
        if unknown != 0 { names.append(hex(UInt64(unknown))) }
        return names.isEmpty ? "0" : names.joined(separator: "|")
    }
}
