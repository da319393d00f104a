import KHOLedger

/// `chain-break`, for `ledger_meta`: no recording writes a row there, so
/// the table re-derived from the chain is empty and every row in it was
/// added by hand. Reported at the audited point.
struct LedgerMetaCheck: AuditCheck {
    let codes: Set<AuditCode> = [.chainBreak]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let keys = try scope.read(LedgerMeta.fetchKeys)
        return keys.map { key in
            AuditFinding(.chainBreak, seq: scope.end, generation: scope.handovers.last?.generation ?? 0, subject: "ledger_meta",
                         message: "ledger_meta row \(jsonString(key)): kholedger records no rows in ledger_meta, it was added")
        }
    }
}
