/// A small handover for debugfs captures: one vmalloc area whose descriptor
/// is the blob of subtree `app`, on a 64 MiB machine with two scratch areas
/// (what `out/` lists), handed over at generation 0's kexec.
public enum DebugfsScenario {
    /// The scratch areas, (address, size).
    public static let scratch: [(UInt64, UInt64)] = [(0x1_0300_0000, 8 << 20), (0x1_03c0_0000, 4 << 20)]

    /// The scenario's YAML, run as `kernel`.
    public static func yaml(kernel: String) -> String {
        """
        machine:
          memory: 64MiB
          seed: 5
          kernel: "\(kernel)"
          scratch:
        \(scratch.map { "    - {address: 0x\(String($0.0, radix: 16)), size: \($0.1)}" }.joined(separator: "\n"))
        steps:
          - vmalloc: {name: state, size: 64KiB, text: "debugfs "}
          - alloc_preserve: {size: 16, as: out}
          - preserve_vmalloc: {area: state, descriptor: out}
          - add_subtree: {name: app, blob: out}
          - kexec
        """
    }
}
