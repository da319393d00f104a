import GRDB
import KHOLedger
import KHOABI

/// `subtree-blob-unpreserved`: at the handover, an outgoing subtree of the
/// root FDT points at a blob whose pages are not all preserved. The next
/// kernel finds the subtree and reads memory that was scrubbed or reused.
///
/// The blob is `blob-size` bytes (kho-v3 and later), else the bytes
/// recorded when it was added, else one byte (its first page); at most the
/// size of RAM is checked.
struct SubtreeBlobCheck: AuditCheck {
    let codes: Set<AuditCode> = [.subtreeBlobUnpreserved]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for handover in scope.handovers {
            let rows = try scope.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT id, name, phys, coalesce(size, length(blob), 1) AS bytes, from_seq FROM subtree
                    WHERE generation = ? AND direction = 'out' AND from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)
                    ORDER BY id
                    """, arguments: [handover.generation, handover.seq, handover.seq])
            }
            guard !rows.isEmpty else { continue }
            let preserved = AddressRuns(AddressRuns.ranges(of: try scope.state(at: handover).preserved, geometry: handover.geometry))
            for columns in rows {
                let row = LedgerRow(columns, table: "subtree")
                try scope.checked { () throws(CorruptRow) in
                    let blob = try row.address("phys")
                    // At least the first page, at most the size of RAM, never past 2^64.
                    let bytes = min(UInt64(max(1, try row.integer("bytes"))), handover.memory.size, UInt64.max - blob)
                    let pages = Self.pages(blob ..< blob + bytes, geometry: handover.geometry)
                    let total = Int((pages.upperBound - pages.lowerBound) / UInt64(handover.geometry.pageSize))
                    let missing = total - Self.pagesCovered(pages, by: preserved, geometry: handover.geometry)
                    guard missing > 0, let first = preserved.firstGap(in: pages) else { return }
                    let name = try row.text("name")
                    findings.append(AuditFinding(
                        .subtreeBlobUnpreserved, seq: handover.seq, generation: handover.generation, subject: name,
                        message: "subtree \"\(name)\" (added at seq \(try row.integer("from_seq"))) points at \(bytes) bytes "
                            + "at \(hex(blob)): \(missing) of \(total) pages not preserved at the handover, first \(hex(first))"))
                }
            }
        }
        return findings
    }

    /// The whole pages `range` touches, as an address range (ending at the
    /// last page below 2^64 if the range reaches that far).
    private static func pages(_ range: Range<UInt64>, geometry: PageGeometry) -> Range<UInt64> {
        let mask = UInt64(geometry.pageSize - 1)
        let end = range.upperBound > UInt64.max - mask ? UInt64.max & ~mask : (range.upperBound + mask) & ~mask
        return (range.lowerBound & ~mask) ..< end
    }

    /// The pages of `pages` that `runs` (whole pages) cover.
    private static func pagesCovered(_ pages: Range<UInt64>, by runs: AddressRuns, geometry: PageGeometry) -> Int {
        let bytes = runs.runs.reduce(UInt64(0)) { covered, run in
            let overlap = run.clamped(to: pages)
            return covered + (overlap.upperBound - overlap.lowerBound)
        }
        return Int(bytes / UInt64(geometry.pageSize))
    }
}
