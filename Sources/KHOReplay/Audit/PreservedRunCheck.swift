import KHOABI
import KHOLedger

/// `chain-break`, for `preserved_run`: the hash chain covers each op's
/// tracker changes (`op_change`), not the preserved-block intervals derived
/// from them, so this check derives the intervals again and compares them
/// block by block. A block is preserved from the op after whose changes it
/// is in the tracker until the op after whose changes it is not, or the
/// seq after its generation's kexec. Runs are compared as the blocks they
/// hold, so how a recording run-length encoded them does not matter.
///
/// One finding per altered row (and one for blocks no row holds), for the
/// generations in the scope, up to the audited point.
struct PreservedRunCheck: AuditCheck {
    let codes: Set<AuditCode> = [.chainBreak]

    private struct Block: Hashable, Comparable {
        let generation: Int64
        let phys: UInt64
        let order: Int

        static func < (a: Block, b: Block) -> Bool { (a.generation, a.phys, a.order) < (b.generation, b.phys, b.order) }
    }

    /// Where a block is preserved: [from, to), to nil while open; for a
    /// stored interval, the rows holding its first and last piece.
    private struct Interval {
        var from: Int64
        var to: Int64?
        var firstRow: Int64 = 0
        var lastRow: Int64 = 0
    }

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        let layouts = scope.layouts
        let (derived, stored) = try scope.read { snapshot in try (derivedIntervals(snapshot, layouts), storedIntervals(snapshot, layouts)) }
        var findings: [String: AuditFinding] = [:]
        for block in Set(derived.keys).union(stored.keys).sorted() {
            let expected = derived[block] ?? [], found = stored[block] ?? []
            guard let index = (0 ..< max(expected.count, found.count)).first(where: { i in
                i >= expected.count || i >= found.count || expected[i].from != found[i].from || expected[i].to != found[i].to
            }) else { continue }
            let (subject, seq, message) = mismatch(block, expected: index < expected.count ? expected[index] : nil,
                                                   found: index < found.count ? found[index] : nil)
            guard seq <= scope.end, findings[subject] == nil else { continue }
            findings[subject] = AuditFinding(.chainBreak, seq: seq, generation: block.generation, subject: subject, message: message)
        }
        return Array(findings.values)
    }

    /// The subject, seq and message of the first interval of `block` that differs.
    private func mismatch(_ block: Block, expected: Interval?, found: Interval?) -> (String, Int64, String) {
        let what = "block \(hex(block.phys)) (order \(block.order))"
        func end(_ seq: Int64?) -> String { seq.map { "\($0)" } ?? "NULL (still preserved)" }
        switch (expected, found) {
        case let (expected?, found?) where expected.from == found.from:
            return ("preserved_run row \(found.lastRow)", found.from,
                    "preserved_run row \(found.lastRow): to_seq is \(end(found.to)), the tracker changes (op_change) end \(what) "
                        + "preserved from seq \(found.from) at \(end(expected.to))")
        case let (expected?, found?):
            return ("preserved_run row \(found.firstRow)", min(expected.from, found.from),
                    "preserved_run row \(found.firstRow): from_seq is \(found.from), the tracker changes (op_change) preserve \(what) from seq \(expected.from)")
        case let (nil, found?):
            return ("preserved_run row \(found.firstRow)", found.from,
                    "preserved_run row \(found.firstRow) holds \(what) from seq \(found.from), "
                        + "which the tracker changes (op_change) do not preserve then (its phys, ord, count or from_seq was changed)")
        case let (expected?, nil):
            return ("preserved_run", expected.from,
                    "\(what), preserved from seq \(expected.from) by the tracker changes (op_change), is in no preserved_run row")
        case (nil, nil):
            return ("preserved_run", 0, "")
        }
    }

    /// The intervals `op_change` gives, for the generations audited.
    private func derivedIntervals(_ snapshot: LedgerSnapshot, _ layouts: [Int64: GenerationLayout]) throws -> [Block: [Interval]] {
        var intervals: [Block: [Interval]] = [:]
        var open: [Block: Int64] = [:]
        var pending: (seq: Int64, present: [Block: Bool])?
        func finish() {
            guard let (seq, present) = pending else { return }
            for (block, isPresent) in present {
                if isPresent, open[block] == nil { open[block] = seq }
                if !isPresent, let from = open.removeValue(forKey: block) { intervals[block, default: []].append(Interval(from: from, to: seq)) }
            }
            pending = nil
        }
        try TrackerChange.forEach(snapshot, layouts: layouts) { change in
            guard let geometry = layouts[change.generation]?.geometry else { return }
            if pending?.seq != change.seq { finish(); pending = (change.seq, [:]) }
            for block in change.run.blocks(geometry) {
                pending?.present[Block(generation: change.generation, phys: block.phys, order: block.order)] = change.added
            }
        }
        finish()
        let kexecs = try HandoverGeneration.fetchKexecSeqs(snapshot)
        for (block, from) in open {
            intervals[block, default: []].append(Interval(from: from, to: kexecs[block.generation].map { $0 + 1 }))
        }
        return intervals.mapValues { $0.sorted { $0.from < $1.from } }
    }

    /// The intervals `preserved_run` holds, pieces of one block that meet merged.
    private func storedIntervals(_ snapshot: LedgerSnapshot, _ layouts: [Int64: GenerationLayout]) throws -> [Block: [Interval]] {
        var intervals: [Block: [Interval]] = [:]
        try PreservedRunRow.forEach(snapshot, layouts: layouts) { row in
            guard let geometry = layouts[row.generation]?.geometry else { return }
            let interval = Interval(from: row.fromSeq, to: row.toSeq, firstRow: row.id, lastRow: row.id)
            for block in row.runs.flatMap({ $0.blocks(geometry) }) {
                intervals[Block(generation: row.generation, phys: block.phys, order: block.order), default: []].append(interval)
            }
        }
        return intervals.mapValues { pieces in
            var merged: [Interval] = []
            for piece in pieces.sorted(by: { $0.from < $1.from }) {
                if var last = merged.last, last.to == piece.from {
                    last.to = piece.to
                    last.lastRow = piece.lastRow
                    merged[merged.count - 1] = last
                } else {
                    merged.append(piece)
                }
            }
            return merged
        }
    }
}
