/// How bad an audit finding is.
public enum AuditSeverity: String, Codable, Sendable, CaseIterable {
    /// The handover loses or corrupts memory, or the ledger was altered.
    case error
    /// The kernel copes, but memory is wasted or the bookkeeping is wrong.
    case warning
}
