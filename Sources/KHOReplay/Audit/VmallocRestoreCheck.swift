import KHOABI

/// `chunk-list-invalid` and `descriptor-total-mismatch`: at the handover,
/// a preserved vmalloc area that `kho_restore_vmalloc` would refuse.
///
/// Each area preserved at the handover point is restored by the one
/// ``VmallocRestorer`` over the ledger's memory as of that point, with the
/// kernel's checks against the preserved set there, exactly as
/// ``LedgerRestore`` does for `kholedger restore --area`
/// (``LedgerRestore/restorePreservedAreas(of:)``). A walk error on
/// the page count (``RestoreError/tooManyPages(chunk:slot:phys:totalPages:)``,
/// ``RestoreError/pageCountMismatch(listed:totalPages:)``) is a descriptor
/// whose `total_pages` disagrees with its chunks; any other walk error is a
/// chunk list the kernel cannot restore.
struct VmallocRestoreCheck: AuditCheck {
    let codes: Set<AuditCode> = [.chunkListInvalid, .descriptorTotalMismatch]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let restore = LedgerRestore(ledger: scope.ledger)
        var findings: [AuditFinding] = []
        for handover in scope.handovers {
            let state = try scope.state(at: handover)
            for (area, outcome) in restore.restorePreservedAreas(of: state) {
                guard case .failure(let error) = outcome else { continue }
                let walk: RestoreError
                switch error {
                case let .restore(_, _, _, restoreError): walk = restoreError
                case .replay(let error): throw .replay(error)
                case .memory(let error): throw .memory(error)
                case .ledger(let error): throw .ledger(error)
                }
                let code: AuditCode
                switch walk {
                case .tooManyPages, .pageCountMismatch: code = .descriptorTotalMismatch
                default: code = .chunkListInvalid
                }
                findings.append(AuditFinding(code, seq: handover.seq, generation: handover.generation, subject: area.name,
                                             message: "kho_restore_vmalloc would fail: \(error)"))
            }
        }
        return findings
    }
}
