import KHOABI
import KHOLedger
import KHOReplay

/// What `kholedger audit` prints: the scope, the checks run and the findings.
struct AuditDocument: Encodable {
    var throughSeq: Int64
    /// The audited generation; `null` (printed, not left out) for all.
    @NullWhenAbsent var generation: Int64?
    var checks: [AuditCode]
    var errors: Int
    var warnings: Int
    var findings: [AuditFinding]
    /// The ledger's last operation, to keep for `--head`.
    @NullWhenAbsent var head: Head?
    /// The digest whose head was checked (`--digest`), left out without one.
    var digest: LedgerDigest?
    /// Whether the text ends with the head line (`--chain`).
    var printsHead = true

    /// A ``ChainHead`` as JSON: the seq and the hash in hexadecimal.
    struct Head: Encodable {
        var seq: Int64
        var hash: String

        init(_ head: ChainHead) {
            seq = head.seq
            hash = hexDigits(head.hash)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case throughSeq, generation, checks, errors, warnings, findings, head, digest
    }

    init(throughSeq: Int64, generation: Int64?, checks: [AuditCode], findings: [AuditFinding]) {
        self.throughSeq = throughSeq
        self.generation = generation
        self.checks = checks
        errors = findings.count { $0.severity == .error }
        warnings = findings.count { $0.severity == .warning }
        self.findings = findings
    }

    /// A table of findings and a summary line, then the digest checked and
    /// (with `--chain`) the head line.
    var text: String {
        var lines = [findingsText]
        if let digest { lines.append("digest: \(digest.head) taken \(digest.taken), \(digest.signing)") }
        if printsHead, let head { lines.append("head: \(head.seq):\(head.hash)") }
        return lines.joined(separator: "\n")
    }

    private var findingsText: String {
        let scope = "seqs 1…\(throughSeq)" + (generation.map { ", generation \($0)" } ?? "")
        guard !findings.isEmpty else {
            return "clean: no findings in \(scope) (checked: \(checks.map(\.rawValue).joined(separator: ", ")))"
        }
        var table = TextTable(header: ["seq", "gen", "severity", "code", "subject", "message"])
        table.rows = findings.map { ["\($0.seq)", "\($0.generation)", $0.severity.rawValue, $0.code.rawValue, $0.subject, $0.message] }
        let counts = "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        return table.rendered + "\n\(findings.count) finding\(findings.count == 1 ? "" : "s") (\(counts)) in \(scope)"
    }
}
