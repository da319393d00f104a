import KHOReplay

/// The audit's findings (``LedgerAudit``) as a table, every cell escaped.
public struct AuditFindingsSection: HTMLSection {
    public let title = "Audit findings"
    public let anchor = "audit"
    /// The findings, in the audit's order.
    public var findings: [AuditFinding]

    /// A section listing `findings`.
    public init(findings: [AuditFinding]) { self.findings = findings }

    public func body() -> String {
        let errors = findings.count { $0.severity == .error }
        let note = findings.isEmpty
            ? "kholedger audit found nothing: every check passed."
            : "kholedger audit: \(errors) error\(errors == 1 ? "" : "s"), \(findings.count - errors) warning\(findings.count - errors == 1 ? "" : "s")."
        let rows = findings.map { finding -> [SQLValue] in
            [.integer(finding.seq), .integer(finding.generation), .text(finding.code.rawValue),
             .text(finding.severity.rawValue), .text(finding.subject), .text(finding.message)]
        }
        return TableSection(title: title, anchor: anchor, note: note,
                            result: QueryResult(columns: ["seq", "generation", "code", "severity", "subject", "message"], rows: rows))
            .body()
    }
}
