import ArgumentParser
import KHOLedger
import KHOReplay

extension ChainHead: ExpressibleByArgument {}

/// `kholedger audit`: checks a ledger's invariants.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check a ledger: leaks, mismatched unpreserves, double preserves, scratch overlaps, unrestorable vmalloc areas, unsafe subtrees, the hash chain and the stored bytes.",
        discussion: """
            Each finding has a code, a severity (error or warning), the seq and generation \
            it is about, a subject (area, blob, folio or subtree name, or an address) and a \
            one-line message naming the values:

            \(AuditCommand.codeTable)

            Examples/audit-*.yaml are scenarios that trigger each code (the hash chain \
            breaks, stored bytes and views are altered, only when a ledger file is altered).

            Per-call findings carry the seq of the call; handover findings (chunk lists, \
            descriptors, subtree blobs, leaks) the seq of the generation's kexec. Scope: the \
            whole ledger by default; --at POINT audits its history up to that point, \
            checking the generation running there as if it kexec'd right after it; \
            --generation G keeps only generation G's findings (a leak belongs to the \
            generation that handed the memory over). --chain runs only the integrity checks: \
            the hash chain, every stored page's bytes against their SHA-256 (with the \
            chunk pages, subtree blobs and root FDTs copied from them), and the public \
            views against this build's definitions (the leak rule is the view \
            v_handed_over: a replaced view is a finding, and the leak check refuses it). \
            Each operation's hash covers its row, the rows it created, the generation \
            row a boot starts, the handover a kexec records and the intervals each \
            operation ends; the preserved-block intervals are derived again from the \
            tracker changes and compared, and ledger_meta must be empty. A row holding a \
            value no recording writes (text where a number belongs, an order or count \
            no memory holds) stops the audit with a corrupt-row finding naming it, with \
            --chain too.

            --chain ends with the ledger's head: its last seq and hash, "head: SEQ:HASH". \
            Keep it somewhere else: a ledger rewritten from scratch has an intact chain, \
            and one whose last operations were deleted too. --head SEQ:HASH checks \
            that the ledger still holds operation SEQ with that hash (a chain-break \
            finding when it ends before SEQ or the hash differs); operations recorded \
            after it are checked as usual. --digest FILE checks the head of a digest \
            (`kholedger digest --sign key.pem --output digest.json` wrote this one) \
            the same way, after its signature, when it is signed; --trust PUBKEY (a \
            public key PEM file) requires that it is signed, by that key. The text \
            names the digest checked in a "digest:" line, the JSON in "digest" (the \
            document read).

            --format json prints {"through_seq", "generation", "checks": [codes], \
            "errors", "warnings", "findings": [{"code", "severity", "seq", "generation", \
            "subject", "message"}], "head": {"seq", "hash"}}.

            Exit status: 0 clean, 1 findings, 2 the audit could not run (no ledger, a bad \
            point or generation, an unreadable ledger, a --digest that is malformed, \
            whose signature does not verify or that --trust refuses), 64 the command \
            line was rejected (e.g. --generation abc).

            Examples:
              kholedger audit
              kholedger audit --at gen:1 --format json
              kholedger audit --generation 2
              kholedger audit --chain --ledger kholedger.db
              kholedger audit --chain --head \\
                  "$(kholedger audit --chain | sed -n 's/^head: //p')"
              kholedger audit --chain --digest digest.json --trust pub.pem
            """
    )

    /// The codes with their severity and meaning, one per line.
    private static var codeTable: String {
        AuditCode.allCases.map { "\($0.rawValue) (\($0.severity.rawValue)): \($0.meaning)" }.joined(separator: "\n")
    }

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var point: PointOption

    @Option(name: .long, help: ArgumentHelp("Report only this generation's findings.", valueName: "generation"))
    var generation: Int64?

    @Flag(name: .long, help: "Run only the integrity checks: the hash chain, the stored bytes, the views and corrupt rows.")
    var chain = false

    @Option(name: .long, help: ArgumentHelp("A head kept from an earlier `audit --chain` that the ledger must still reach.",
                                            valueName: "seq:hash"))
    var head: ChainHead?

    @OptionGroup var kept: DigestOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if head != nil, kept.digest != nil { throw ValidationError("--head and --digest each give a kept head: give one") }
    }

    func run() throws {
        let codes = chain ? [AuditCode.chainBreak, .storedBytesAltered, .viewAltered, .corruptRow] : AuditCode.allCases
        let end: ResolvedPoint
        let findings: [AuditFinding]
        let last: ChainHead?
        let digest: LedgerDigest?
        do {
            digest = try kept.verified()
            let ledger = try ledger.openForReading()
            end = try point.resolve(in: ledger, default: .lastOperation)
            let progress = ProgressLine("audit", total: 0, unit: .count("checks"))
            defer { progress.clear() }
            findings = try LedgerAudit(ledger: ledger).findings(through: end.seq, generation: generation, codes: Set(codes),
                                                                keptHead: digest?.head ?? head, progress: progress.report)
            last = try ledger.head()
        } catch {
            printError("audit could not run: \(error)")
            throw ExitCode(2)
        }
        var report = AuditDocument(throughSeq: end.seq, generation: generation, checks: codes, findings: findings)
        report.head = last.map(AuditDocument.Head.init)
        report.digest = digest
        if !chain { report.printsHead = false }
        let notes = PointNotes(end)
        switch format {
        case .json: print(try notes.json(report))
        case .text: print(notes.text(report.text))
        }
        if !findings.isEmpty { throw ExitCode(1) }
    }
}
