/// How long a writer waits for the ledger's current writer to finish, and
/// what it does while it waits.
public struct LedgerWriterWait: Sendable {
    /// The longest wait; then opening fails with ``LedgerError/busy(path:holder:waited:)``.
    public var limit: Duration
    /// Called once when the writer starts to wait, with the holder's PID when known.
    public var notice: @Sendable (Int32?) -> Void

    /// The wait of a writer that nobody is told about.
    public static let `default` = LedgerWriterWait(limit: .seconds(60))

    public init(limit: Duration, notice: @escaping @Sendable (Int32?) -> Void = { _ in }) {
        self.limit = limit
        self.notice = notice
    }
}
