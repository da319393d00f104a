/// A ``PointInTime`` resolved in one ledger: the seq it stands for, and
/// whether that is not what its syntax says.
public struct ResolvedPoint: Equatable, Sendable {
    /// The operation the point stands for: the state right after it.
    public var seq: Int64

    /// Set when the point was `gen:G` and generation G never handed over
    /// (no kexec): the point is then G's last operation, not a handover.
    public var unfinishedGeneration: Int64?

    /// A point that stands for `seq` as written.
    public init(seq: Int64, unfinishedGeneration: Int64? = nil) {
        self.seq = seq
        self.unfinishedGeneration = unfinishedGeneration
    }

    /// The sentence a command prints with its answer when the point does not
    /// mean what its syntax says; nil when it does.
    public var note: String? {
        unfinishedGeneration.map { "gen:\($0) never handed over (no kexec): the point is its last operation, seq \(seq)" }
    }
}
