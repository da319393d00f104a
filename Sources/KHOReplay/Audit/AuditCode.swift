/// The stable identifier of each kind of audit finding (its raw value, in
/// kebab-case, is what `kholedger audit` prints and what scripts match on).
public enum AuditCode: String, Codable, Sendable, CaseIterable {
    case leak
    case unpreserveUnknown = "unpreserve-unknown"
    case unpreserveOrderMismatch = "unpreserve-order-mismatch"
    case doublePreserve = "double-preserve"
    case scratchOverlap = "scratch-overlap"
    case chunkListInvalid = "chunk-list-invalid"
    case descriptorTotalMismatch = "descriptor-total-mismatch"
    case subtreeBlobUnpreserved = "subtree-blob-unpreserved"
    case subtreeBlobNotFDT = "subtree-blob-not-fdt"
    case restoreOrderMismatch = "restore-order-mismatch"
    case chainBreak = "chain-break"
    case storedBytesAltered = "stored-bytes-altered"
    case viewAltered = "view-altered"
    case corruptRow = "corrupt-row"

    /// Every finding of this code has this severity.
    public var severity: AuditSeverity {
        switch self {
        case .leak, .unpreserveUnknown, .doublePreserve, .restoreOrderMismatch: return .warning
        case .unpreserveOrderMismatch, .scratchOverlap, .chunkListInvalid, .descriptorTotalMismatch,
             .subtreeBlobUnpreserved, .subtreeBlobNotFDT, .chainBreak, .storedBytesAltered, .viewAltered, .corruptRow:
            return .error
        }
    }

    /// What a finding of this code means, in one line.
    public var meaning: String {
        switch self {
        case .leak:
            return "blocks a generation handed over that the next generation never restored (KHO's own root FDT and kexec-metadata pages aside)"
        case .unpreserveUnknown:
            return "an unpreserve removes a block that is not preserved at any order (the kernel only warns)"
        case .unpreserveOrderMismatch:
            return "an unpreserve removes a block at another order than the one preserved over those pages, which stays preserved"
        case .doublePreserve:
            return "a preserve adds a block that is already preserved (a silent no-op: one unpreserve drops it for both callers)"
        case .scratchOverlap:
            return "a preserved block lies in a scratch area, which the next kernel allocates from while booting"
        case .chunkListInvalid:
            return "a preserved vmalloc area's chunk list would fail kho_restore_vmalloc at the handover"
        case .descriptorTotalMismatch:
            return "a preserved vmalloc descriptor's total_pages differs from the pages its chunks list"
        case .subtreeBlobUnpreserved:
            return "an outgoing subtree's blob has pages that are not preserved at the handover"
        case .subtreeBlobNotFDT:
            return "a kho-v1/v2 outgoing subtree's blob is not an FDT: the kernel accepts it, the next kernel cannot read it"
        case .restoreOrderMismatch:
            return "a vmalloc restore took a block tracked as smaller pieces: it succeeds on the head page's magic, the other pieces stay reserved"
        case .chainBreak:
            return "an operation's hash does not match its rows and the previous hash, a derived row (preserved_run, ledger_meta) "
                + "differs from the chained rows, or the ledger no longer reaches a kept head (--head, --digest): the ledger was altered"
        case .storedBytesAltered:
            return "a stored page's bytes do not match their SHA-256, or a chunk page, subtree blob or root FDT copy differs "
                + "from the pages it was taken from: the ledger was altered"
        case .viewAltered:
            return "a view (v_handed_over, v_generations, …, or a block view they read) was replaced or dropped: its answers are not kholedger's"
        case .corruptRow:
            return "a ledger row holds a value no recording writes (a negative or oversized order, count or size): "
                + "the ledger was damaged or edited; the checks that read the row stopped there"
        }
    }
}
