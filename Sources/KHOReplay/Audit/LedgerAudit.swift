import KHOLedger

/// Audits a ledger: invariants the kernel does not check (or only warns
/// about), each violation an ``AuditFinding`` with a stable ``AuditCode``.
///
/// The scope is the ledger's history up to a seq (by default its last
/// operation): per-call checks look at every operation up to it, handover
/// checks at every generation's kexec, or, for the generation still running
/// at that seq, at the seq itself, as if it kexec'd right after. A
/// generation restricts every check to that generation's findings.
///
/// | code | severity | checked |
/// |---|---|---|
/// | `leak` | warning | blocks handed over and never restored by the next generation |
/// | `unpreserve-unknown` | warning | unpreserves of blocks not preserved |
/// | `unpreserve-order-mismatch` | error | unpreserves at another order than preserved |
/// | `double-preserve` | warning | preserves of blocks already preserved |
/// | `scratch-overlap` | error | preserved blocks in a scratch area |
/// | `chunk-list-invalid` | error | vmalloc chunk lists `kho_restore_vmalloc` refuses |
/// | `descriptor-total-mismatch` | error | `total_pages` that disagrees with the chunks |
/// | `subtree-blob-unpreserved` | error | subtree blobs with unpreserved pages at the handover |
/// | `chain-break` | error | the hash chain (``ChainVerifier``), a kept head, the rows derived from the chained ones (``PreservedRunCheck``, ``LedgerMetaCheck``) |
/// | `stored-bytes-altered` | error | stored page bytes and the copies taken from them |
/// | `view-altered` | error | views replaced or dropped (``ViewCheck``) |
/// | `corrupt-row` | error | rows holding values no recording writes (``CorruptRow``) |
///
/// Set-based checks run KHOLedger's queries (SQL over the interval tables
/// and `op_change`); the vmalloc checks run the one ``VmallocRestorer``
/// through ``LedgerRestore``.
/// The ledger is only read.
public struct LedgerAudit {
    public let ledger: Ledger

    public init(ledger: Ledger) { self.ledger = ledger }

    /// Every check, in the order their findings sort among equal seqs.
    private static let checks: [any AuditCheck] = [
        ChainCheck(), PreservedRunCheck(), LedgerMetaCheck(), StoredBytesCheck(), ViewCheck(), UnpreserveCheck(), DoublePreserveCheck(), ScratchOverlapCheck(), VmallocRestoreCheck(),
        SubtreeBlobCheck(), SubtreeFDTCheck(), RestoreOrderCheck(), LeakCheck(),
    ]

    /// The findings of the checks for `codes`, over the ledger up to seq
    /// `end` (nil: its last operation), of generation `generation` only when
    /// given; sorted by seq, then code. A `keptHead` the ledger no longer
    /// reaches is a `chain-break` whatever the scope. `progress` is told
    /// the checks run after each one.
    public func findings(through end: Int64? = nil, generation: Int64? = nil, codes: Set<AuditCode> = Set(AuditCode.allCases),
                         keptHead: ChainHead? = nil, progress: WorkProgress = { _, _ in }) throws(AuditError) -> [AuditFinding] {
        let scope = try AuditScope(ledger: ledger, end: end, generation: generation, keptHead: keptHead)
        var findings: [AuditFinding] = []
        let checks = Self.checks.filter { !$0.codes.isDisjoint(with: codes) }
        for (index, check) in checks.enumerated() {
            defer { progress(index + 1, checks.count) }
            do {
                findings += try check.findings(in: scope).filter { codes.contains($0.code) }
            } catch {
                guard let row = error.corruptRow, codes.contains(.corruptRow) else { throw error }
                // The check stopped at the row, and the later checks would read it too: the audit stops there.
                findings.append(AuditFinding(.corruptRow, seq: scope.end, generation: scope.handovers.last?.generation ?? 0,
                                             subject: "\(row.table) row \(row.row)", message: row.description + "; the audit stopped there"))
                break
            }
        }
        let rank = Dictionary(uniqueKeysWithValues: AuditCode.allCases.enumerated().map { ($1, $0) })
        return findings.sorted { ($0.seq, rank[$0.code]!, $0.subject) < ($1.seq, rank[$1.code]!, $1.subject) }
    }
}
