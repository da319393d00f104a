import KHOLedger

/// `chain-break`: the first operation whose stored hashes do not match
/// its rows and the previous operation's hash (``ChainVerifier``), and a
/// kept head the ledger no longer reaches. Every operation is verified; a
/// break after the audited point, or in another generation than the
/// audited one, is not reported; a kept head always is.
struct ChainCheck: AuditCheck {
    let codes: Set<AuditCode> = [.chainBreak]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let verifier = ChainVerifier(ledger: scope.ledger)
        let report: ChainVerifier.Report
        let departure: String?
        do {
            report = try verifier.verify()
            departure = try scope.keptHead.flatMap(verifier.departure(from:))
        } catch {
            throw .ledger(error)
        }
        let kept = departure.map { reason in
            AuditFinding(.chainBreak, seq: min(scope.keptHead?.seq ?? 0, report.head?.seq ?? 0),
                         generation: scope.handovers.last?.generation ?? 0, subject: "kept head", message: reason)
        }
        return try brokenLink(report, in: scope) + (kept.map { [$0] } ?? [])
    }

    /// The first broken link, when it lies in the scope.
    private func brokenLink(_ report: ChainVerifier.Report, in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        guard let seq = report.firstBroken, seq <= scope.end else { return [] }
        guard let op = try scope.read({ snapshot in try OpHeading.fetchOne(snapshot, seq: seq) }) else { return [] }
        // The broken op's own values may be what is corrupt: the finding names what can be read.
        let generation = op.generation ?? scope.handovers.last?.generation ?? 0
        if let audited = scope.generation, audited != generation { return [] }
        let kind = op.kind ?? "operation"
        return [AuditFinding(.chainBreak, seq: seq, generation: generation, subject: op.subject ?? kind,
                             message: "\(kind) at seq \(seq): \(report.reason ?? "hash mismatch") "
                                 + "(\(report.checked) operations verified before it)")]
    }
}
