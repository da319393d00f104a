import GRDB
import KHOLedger

/// `chain-break`: the first operation whose stored hashes do not match
/// its rows and the previous operation's hash (``ChainVerifier``). Every
/// operation is verified; a break after the audited point, or in another
/// generation than the audited one, is not reported.
struct ChainCheck: AuditCheck {
    let codes: Set<AuditCode> = [.chainBreak]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let report: ChainVerifier.Report
        do {
            report = try ChainVerifier(ledger: scope.ledger).verify()
        } catch {
            throw .ledger(error.description)
        }
        guard let seq = report.firstBroken, seq <= scope.end else { return [] }
        guard let op = try scope.read({ db in
            try Row.fetchOne(db, sql: "SELECT generation, kind, subject FROM op WHERE seq = ?", arguments: [seq])
        }) else { return [] }
        let generation: Int64 = op["generation"]
        if let audited = scope.generation, audited != generation { return [] }
        let kind: String = op["kind"]
        return [AuditFinding(.chainBreak, seq: seq, generation: generation, subject: op["subject"] ?? kind,
                             message: "\(kind) at seq \(seq): \(report.reason ?? "hash mismatch") "
                                 + "(\(report.checked) operations verified before it)")]
    }
}
