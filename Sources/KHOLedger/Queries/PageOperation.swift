import KHOABI

/// One operation's effect on one physical page.
public struct PageOperation: Equatable, Sendable {
    /// What an operation did to the page.
    public enum Action: String, Codable, Sendable {
        /// A block covering the page was added to the tracker.
        case preserve
        /// A block covering the page was removed from the tracker.
        case unpreserve
        /// A restore consumed a block covering the page.
        case restore
        /// The page got new non-zero content.
        case write
        /// The page became zero: a zero-filled allocation, or the scrub of
        /// memory nobody handed over at a KHO boot.
        case clear
    }

    public var seq: Int64
    public var generation: Int64
    public var time: String
    /// The op's kind (`preserve_folio`, `kexec`, …).
    public var kind: String
    public var subject: String?
    public var action: Action
    /// The tracker block that covered the page (tracker actions).
    public var block: PreservedBlock?
    /// Lowercase hex SHA-256 of the content written (``Action/write``).
    public var sha256: String?
}
