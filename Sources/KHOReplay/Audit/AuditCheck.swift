/// One check of a ledger audit: it produces the findings of its codes
/// within a scope.
protocol AuditCheck: Sendable {
    /// The codes its findings carry.
    var codes: Set<AuditCode> { get }
    /// Its findings within `scope`, in any order.
    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding]
}
