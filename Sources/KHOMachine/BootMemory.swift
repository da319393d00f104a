import KHOABI

/// The memory a handover tells the next kernel to boot from: the ranges a
/// kernel lists in debugfs `out/scratch_phys` / `out/scratch_len` (up to
/// 7.3) or `out/bootmem_phys` / `out/bootmem_len` (7.4), in the kernel's
/// order.
public struct BootMemory: Hashable, Sendable {
    /// What the kernel calls it: ``KernelRelease/bootMemoryName``.
    public var name: String
    /// The ranges, in the order the kernel lists them.
    public var ranges: [MemoryRange]

    public init(name: String, ranges: [MemoryRange]) {
        self.name = name
        self.ranges = ranges
    }
}
