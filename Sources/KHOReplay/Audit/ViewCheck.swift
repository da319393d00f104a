import KHOLedger

/// `view-altered`: a view (`v_generations`, `v_handed_over`, …, or a block
/// view they read) whose definition is not the one this build's migrations
/// create: replaced or dropped. The views are the documented SQL interface,
/// and the leak rule is one of them, so a replaced view would change
/// answers without touching any hashed row. Reported once per view, at the
/// audited point.
struct ViewCheck: AuditCheck {
    let codes: Set<AuditCode> = [.viewAltered]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let altered = try scope.read(LedgerSchema.alteredViews)
        guard let last = scope.handovers.last else { return [] }
        return altered.map { AuditFinding(.viewAltered, seq: scope.end, generation: last.generation, subject: $0.view, message: $0.reason) }
    }
}

extension AuditScope {
    /// Throws unless the ledger's view `name`, and every view it reads, is
    /// this build's definition: a check that reads a view refuses a replaced
    /// one instead of believing it.
    func requireIntactView(_ name: String) throws(AuditError) {
        let views: Set<String>
        do {
            views = try LedgerSchema.viewsRead(by: name)
        } catch {
            throw .ledger(error)
        }
        if let altered = try read(LedgerSchema.alteredViews).first(where: { views.contains($0.view) }) {
            throw .ledger(.inconsistent("\(ledger.path): \(altered.reason); `kholedger audit --chain` lists what was altered"))
        }
    }
}
