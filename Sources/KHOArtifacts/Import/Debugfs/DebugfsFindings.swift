import KHOABI
import KHOMachine

/// What an import learnt from a debugfs folder besides the handover.
public struct DebugfsFindings: Sendable {
    /// The side folder read.
    public var path: String
    public var side: DebugfsCapture.Side
    /// The releases that lay the folder out so and hand over its ABI: the
    /// one `--kernel` named, else every candidate; empty for an ABI no
    /// release produces.
    public var releases: [KernelRelease]
    /// The boot memory `out/` lists (none in `in/`).
    public var bootMemory: BootMemory?
}
