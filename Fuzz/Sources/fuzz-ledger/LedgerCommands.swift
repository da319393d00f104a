import GRDB
import KHOArtifacts
import KHOLedger
import KHOReplay
import KHOReport

/// What `state`, `restore`, `diff`, `audit` (also `--chain`), `export` and
/// `report` (canned and HTML) run, called in process on one ledger. Every
/// error they throw is a correct answer to a damaged ledger; only a trap,
/// an abort, a hang or an allocation without bound is a bug.
struct LedgerCommands {
    /// The ledger file.
    let path: String
    /// Where `export` writes its files.
    let outputs: String

    /// Runs every command at the ledger's last operation and at the handover
    /// points of two of its generations (`selector`'s nibbles pick them),
    /// diffing those two.
    func run(selector: UInt8) {
        guard let ledger = try? Ledger(readingAt: path) else { return }
        let generations = ((try? ledger.read(GenerationNumbers.fetchAll)) ?? []).prefix(16)
        var seqs: [Int64] = []
        if let last = try? PointInTime.latest(in: ledger) { seqs.append(last) }
        if !generations.isEmpty {
            for nibble in [selector & 0xF, selector >> 4] {
                let point = PointInTime.generation(generations[Int(nibble) % generations.count], offset: nil)
                if let resolved = try? point.resolve(in: ledger) { seqs.append(resolved.seq) }
            }
        }
        for seq in Set(seqs).sorted() {
            state(ledger, seq)
            restore(ledger, seq)
            export(ledger, seq)
            _ = try? LedgerAudit(ledger: ledger).findings(through: seq)
        }
        if seqs.count == 3 { diff(ledger, seqs[1], seqs[2]) }
        _ = try? LedgerAudit(ledger: ledger).findings(codes: [.chainBreak, .storedBytesAltered, .viewAltered])
        reports(generations.first)
    }

    /// `state`: the as-of state, its totals and the owners of its first runs.
    private func state(_ ledger: Ledger, _ seq: Int64) {
        guard let state = try? AsOfState(ledger: ledger, seq: seq) else { return }
        _ = (state.preservedBytes, state.unpreservedBytes, state.areaBytes, state.objectBytes, state.heads)
        _ = try? state.owners(of: state.preservedRuns.prefix(64).map(\.phys), in: ledger)
    }

    /// `restore --area`: every area of the state, its bytes discarded.
    private func restore(_ ledger: Ledger, _ seq: Int64) {
        guard let state = try? AsOfState(ledger: ledger, seq: seq) else { return }
        for area in state.areas {
            _ = try? LedgerRestore(ledger: ledger).restore(area: area.name, at: seq, into: { _ in })
        }
    }

    /// `diff FROM TO` and `diff --bytes`, with the owners of the changed content.
    private func diff(_ ledger: Ledger, _ from: Int64, _ to: Int64) {
        guard let diff = try? GenerationDiff(ledger: ledger, from: from, to: to) else { return }
        _ = (diff.orderTotals, diff.addedBytes, diff.removedBytes, diff.changedContentBytes)
        _ = try? diff.changedBytes(ledger: ledger)
        _ = try? diff.to.owners(of: diff.addedBlocks.prefix(64).map(\.phys), in: ledger)
    }

    /// `export` with every output: core, FDT, raw image and manifest.
    private func export(_ ledger: Ledger, _ seq: Int64) {
        let destination = HandoverExport.Destination(image: "\(outputs)/x.elf", fdt: "\(outputs)/x.dtb", raw: "\(outputs)/x.raw",
                                                     manifest: "\(outputs)/x.json")
        _ = try? HandoverExport(ledger: ledger).export(at: seq, to: destination)
    }

    /// `report NAME` for every canned report, and `report --html`.
    private func reports(_ generation: Int64?) {
        guard let connection = try? ReadOnlyConnection(readingAt: path) else { return }
        for report in (try? CannedReport.all()) ?? [] {
            _ = try? report.run(on: connection, generation: nil)
            _ = try? report.run(on: connection, generation: generation)
        }
        _ = try? HTMLReport.ledger(connection).render()
    }
}
