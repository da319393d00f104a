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
            let subtrees = try scope.read { snapshot in try OutgoingSubtree.fetchAll(snapshot, generation: handover.generation, at: handover.seq) }
            guard !subtrees.isEmpty else { continue }
            let preserved = AddressRuns(AddressRuns.ranges(of: try scope.state(at: handover).preserved, geometry: handover.geometry))
            for subtree in subtrees {
                // At least the first page, at most the size of RAM, never past 2^64.
                let bytes = min(UInt64(max(1, subtree.bytes)), handover.memory.size, UInt64.max - subtree.phys)
                let pages = Self.pages(subtree.phys ..< subtree.phys + bytes, geometry: handover.geometry)
                let total = Int((pages.upperBound - pages.lowerBound) / UInt64(handover.geometry.pageSize))
                let missing = total - Self.pagesCovered(pages, by: preserved, geometry: handover.geometry)
                guard missing > 0, let first = preserved.firstGap(in: pages) else { continue }
                findings.append(AuditFinding(
                    .subtreeBlobUnpreserved, seq: handover.seq, generation: handover.generation, subject: subtree.name,
                    message: "subtree \"\(subtree.name)\" (added at seq \(subtree.fromSeq)) points at \(bytes) bytes "
                        + "at \(hex(subtree.phys)): \(missing) of \(total) pages not preserved at the handover, first \(hex(first))"))
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
