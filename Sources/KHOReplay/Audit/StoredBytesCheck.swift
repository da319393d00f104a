import Foundation
import KHOABI
import KHOLedger

/// `stored-bytes-altered`: bytes in the ledger file that are not what was
/// recorded. The hash chain covers each page's SHA-256, not the page bytes
/// stored under it; this check covers them:
///
/// - every `page_data` row's bytes must match their SHA-256;
/// - every copy of memory the ledger keeps beside its pages must equal the
///   pages it was taken from, as of the operation that took it: a `chunk`
///   row's bytes (its page as of the preservation or restore), an outgoing
///   `subtree`'s blob (as of its adding) and a generation's `root_fdt` (its
///   FDT page as of its kexec).
///
/// A copy over an altered page is reported once, as the page. Every row is
/// checked; a finding after the audited point, or in another generation than
/// the audited one, is not reported.
struct StoredBytesCheck: AuditCheck {
    let codes: Set<AuditCode> = [.storedBytesAltered]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let findings = try scope.read { snapshot in
            let altered = try StoredPages.alteredIDs(snapshot)
            return try altered.map { try pageFinding($0, snapshot) } + copyFindings(snapshot, altered: Set(altered))
        }
        return findings.filter { $0.seq <= scope.end && (scope.generation ?? $0.generation) == $0.generation }
    }

    /// An altered `page_data` row, named by the first page that held it.
    private func pageFinding(_ id: Int64, _ snapshot: LedgerSnapshot) throws -> AuditFinding {
        guard let first = try StoredPages.firstHolder(of: id, snapshot) else {
            return AuditFinding(.storedBytesAltered, seq: 0, generation: 0, subject: "page_data \(id)",
                                message: "page_data id \(id) (held by no page): its bytes do not match their SHA-256")
        }
        let phys = hex(first.phys)
        return AuditFinding(.storedBytesAltered, seq: first.fromSeq, generation: first.generation, subject: phys,
                            message: "page_data id \(id), the page at \(phys) from seq \(first.fromSeq): its bytes do not match their SHA-256")
    }

    /// The copies that differ from the (intact) pages they were taken from.
    private func copyFindings(_ snapshot: LedgerSnapshot, altered: Set<Int64>) throws -> [AuditFinding] {
        var findings: [AuditFinding] = []
        try StoredCopy.forEach(snapshot) { copy in
            guard let memory = try memory(under: copy, snapshot, altered: altered), memory != copy.bytes else { return }
            let offset = zip(memory, copy.bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
            findings.append(AuditFinding(.storedBytesAltered, seq: copy.seq, generation: copy.generation, subject: copy.subject,
                                         message: "\(copy.what) at \(hex(copy.phys)) differs from the memory it was taken from "
                                             + "at seq \(copy.seq), first at byte \(offset)"))
        }
        return findings
    }

    /// The memory a copy was taken from, or nil when a page of it is altered
    /// (reported as the page).
    private func memory(under copy: StoredCopy, _ snapshot: LedgerSnapshot, altered: Set<Int64>) throws -> Data? {
        let pageSize = copy.geometry.pageSize
        let mask = UInt64(pageSize - 1)
        let first = copy.phys & ~mask
        let end = copy.phys + UInt64(max(copy.bytes.count, 1))
        var bytes = Data()
        for page in stride(from: first, to: end, by: pageSize) {
            let stored = try StoredPages.page(snapshot, lineage: copy.lineage, phys: page, seq: copy.seq)
            if let stored, altered.contains(stored.id) { return nil }
            // A page is `pageSize` bytes as the generation row states it, whatever length was stored.
            let page = stored?.bytes.prefix(pageSize) ?? []
            bytes.append(contentsOf: page + [UInt8](repeating: 0, count: pageSize - page.count))
        }
        let start = Int(copy.phys - first)
        return bytes.subdata(in: start ..< start + copy.bytes.count)
    }
}
