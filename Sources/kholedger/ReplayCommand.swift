import ArgumentParser
import KHOReplay

/// `kholedger replay --verify`: re-runs the ledger's operation log on fresh
/// emulated machines and checks that every recorded row is reproduced.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run the ledger's operations on a fresh emulated machine and check that every recorded row is reproduced.",
        discussion: """
            Each lineage (a cold boot and the generations kexec'd from it) is replayed \
            on a new emulated machine built from the configuration recorded with it: \
            every operation becomes the call that made it (a write takes its bytes from \
            the ledger's memory as of that operation), the replay is recorded into a \
            scratch ledger the same way, and the two are compared operation by operation: \
            the op row, tracker changes, preserved runs, objects with their frame \
            extents and chunk bytes, page contents by SHA-256, subtrees and generations. \
            The first difference is named with its seq, table, row and both values. \
            Generations without a recorded machine (imports and recorded event \
            streams) are skipped: only `simulate` records one.

            Exit status: 0 the replay reproduces the ledger, 1 it diverges, 2 the \
            replay could not run (no ledger, nothing replayable).

            Examples:
              kholedger simulate Examples/errors.yaml --ledger emulated.db --quiet
              kholedger replay --verify --ledger emulated.db
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Flag(name: .long, help: "Verify the replay against the ledger (the only mode so far; on by default).")
    var verify = false

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let progress = ProgressLine("replay", total: 0)
        let report: ReplayVerifierReport
        do {
            report = try ReplayVerifier(ledger: ledger.openForReading()).verify(progress: progress.report)
        } catch {
            progress.clear()
            printError("replay could not run: \(error)")
            throw ExitCode(2)
        }
        progress.clear()
        switch format {
        case .json:
            print(try JSONOutput.string(ReplaySummary(report)))
        case .text:
            for lineage in report.lineages { print(Self.line(lineage)) }
            if let divergence = report.firstDivergence {
                print("DIVERGED \(divergence)")
            } else if report.lineages.contains(where: { $0.skipped == nil }) {
                print("replay matches the ledger: \(report.verifiedOps) ops reproduced")
            }
        }
        if !report.matches { throw ExitCode(1) }
        if report.lineages.allSatisfy({ $0.skipped != nil }) {
            printError("replay could not run: no lineage of the ledger can be replayed")
            throw ExitCode(2)
        }
    }

    /// One line per lineage.
    private static func line(_ lineage: ReplayVerifierReport.Lineage) -> String {
        let head = "lineage \(lineage.lineage): \(lineage.generations) generation\(lineage.generations == 1 ? "" : "s"), \(lineage.ops) ops"
        if let skipped = lineage.skipped { return "\(head), skipped: \(skipped)" }
        if lineage.divergence != nil { return "\(head), \(lineage.verified) reproduced before the divergence" }
        return "\(head), all reproduced"
    }
}

/// The JSON shape of a replay verification.
private struct ReplaySummary: Encodable {
    struct Divergence: Encodable {
        var seq: Int64
        var kind: String
        var table: String
        var detail: String
    }

    struct Lineage: Encodable {
        var lineage: Int64
        var generations: Int
        var ops: Int
        var verified: Int
        var skipped: String?
        var divergence: Divergence?
    }

    var matches: Bool
    var verifiedOps: Int
    var divergence: Divergence?
    var lineages: [Lineage]

    init(_ report: ReplayVerifierReport) {
        let divergence = { (d: ReplayVerifierReport.Divergence) in Divergence(seq: d.seq, kind: d.kind, table: d.table, detail: d.detail) }
        matches = report.matches
        verifiedOps = report.verifiedOps
        self.divergence = report.firstDivergence.map(divergence)
        lineages = report.lineages.map {
            Lineage(lineage: $0.lineage, generations: $0.generations, ops: $0.ops, verified: $0.verified, skipped: $0.skipped,
                    divergence: $0.divergence.map(divergence))
        }
    }
}
