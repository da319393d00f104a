/// The CPU architectures whose ELF cores this package reads and writes
/// (`e_machine`); KHO exists on x86_64 and arm64.
public enum ElfMachine: UInt16, Sendable, CaseIterable {
    /// EM_X86_64.
    case x86_64 = 62
    /// EM_AARCH64.
    case aarch64 = 183
}
