/// One problem an audit found in a ledger.
public struct AuditFinding: Codable, Sendable, Equatable {
    /// What kind of problem (stable, kebab-case when encoded).
    public var code: AuditCode
    /// The code's severity.
    public var severity: AuditSeverity
    /// The operation the finding is about: the call for per-call findings,
    /// the handover point (a kexec, or the audited point) for handover findings.
    public var seq: Int64
    /// The generation that operation belongs to.
    public var generation: Int64
    /// What it is about: an area, blob, folio or subtree name, or an address.
    public var subject: String
    /// One line naming the values, addresses as `0x…`.
    public var message: String

    /// A finding of `code`, with the code's severity.
    public init(_ code: AuditCode, seq: Int64, generation: Int64, subject: String, message: String) {
        self.code = code
        severity = code.severity
        self.seq = seq
        self.generation = generation
        self.subject = subject
        self.message = message
    }
}
