import Foundation
import KHOABI
import KHOLedger
import KHOReplay
import KHOReport

/// What one push stored.
public struct PushReport: Sendable, Equatable {
    public var host: String
    /// Ops stored by this push (0: the store already had them all).
    public var ops: Int
    /// The batches (transactions) they were stored in.
    public var batches: Int
    /// The host's head in the store after the push.
    public var head: ChainHead?
    /// Findings of the host's audit stored with it (nil: not audited).
    public var findings: Int?
}

extension FleetStore {
    /// Ops per transaction of a push.
    public static let defaultBatchSize = 10_000

    /// Copies the ops of `ledger` that the store lacks into host `host`.
    ///
    /// - The store's migrations are applied first.
    /// - The ledger must extend the host's chain head in the store: an op
    ///   at or before the head with another hash (a rewritten or forked
    ///   history), or a ledger that ends before the head, is refused with
    ///   the first seq that differs, and nothing is stored.
    /// - Every op pushed must verify (``ChainLink``) from the head on; the
    ///   first that does not stops the push, its batch not stored.
    /// - Ops go `batchSize` a transaction, by `COPY`, each transaction also
    ///   moving the host's head: a push killed at any moment leaves whole
    ///   batches, and the next push goes on from the head. A second push
    ///   of the same ledger stores nothing.
    /// - When ops were stored (or the host has no summary yet), the host's
    ///   `summary` report and, with `audit`, its audit findings replace the
    ///   host's earlier ones, in one transaction.
    ///
    /// `progress` is told ops stored and ops to store.
    @discardableResult
    public func push(_ ledger: Ledger, host name: String, content: FleetContent, audit: Bool,
                     batchSize: Int = FleetStore.defaultBatchSize,
                     progress: WorkProgress = { _, _ in }) throws(FleetError) -> PushReport {
        let name = try FleetHost.checked(name)
        try migrate()
        return try fleetErrors {
            var host = try register(name, content: content)
            try requireExtension(of: host, by: ledger)
            let total = Int((try ledger.head()?.seq ?? 0) - host.headSeq)
            var report = PushReport(host: name, ops: 0, batches: 0, head: host.head, findings: nil)
            let batches = PushPipeline(ledger: ledger, host: host, content: content, batchSize: batchSize)
            do {
                while let batch = try batches.next() {
                    try store(batch, host: &host)
                    report.ops += batch.count
                    report.batches += 1
                    report.head = host.head
                    progress(report.ops, total)
                }
            } catch {
                batches.stop()
                throw error
            }
            if try report.ops > 0 || !hasSummary(host) {
                report.findings = try storeDerived(from: ledger, host: host, audit: audit)
            }
            return report
        }
    }

    /// The host called `name`, registered with `content` if new. A host
    /// pushed before with other content is refused.
    private func register(_ name: String, content: FleetContent) throws -> FleetHostState {
        try connection.execute("INSERT INTO host (name, content) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [name, content.rawValue])
        guard let host = try host(named: name) else { throw FleetError.inconsistent("host \(name) vanished after its registration") }
        guard host.content == content else {
            throw FleetError.contentMismatch(host: name, stored: host.content.rawValue, asked: content.rawValue)
        }
        return host
    }

    /// Throws unless `ledger` still holds the host's head in the store:
    /// names the first seq where the ledger's hashes and the store's differ.
    private func requireExtension(of host: FleetHostState, by ledger: Ledger) throws {
        guard let head = host.head else { return }
        let local = try ledger.storedHashes(after: head.seq - 1, limit: 1).first
        if local == head { return }
        var after: Int64 = 0
        while after < head.seq {
            let stored = try connection.execute("""
                SELECT seq, hash FROM op WHERE host_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT 50000
                """, [String(host.id), String(after), String(head.seq)])
            let ours = try ledger.storedHashes(after: after, limit: 50_000)
            for (i, row) in stored.enumerated() {
                let seq = row.integer("seq") ?? 0
                guard i < ours.count else {
                    throw FleetError.refused(host: host.name, reason: "the ledger ends at seq \(after + Int64(i)), but the store holds the host's ops "
                        + "up to seq \(head.seq): operations \(seq)…\(head.seq) are missing from the ledger")
                }
                if ours[i].seq != seq || ours[i].hash != row.bytes("hash") {
                    throw FleetError.refused(host: host.name, reason: "the ledger's history differs from the store's at seq \(min(seq, ours[i].seq)) "
                        + "(the store holds seqs 1…\(head.seq), head \(head)): a rewritten or forked history is not appended")
                }
            }
            guard let last = stored.last?.integer("seq") else { break }
            after = last
        }
        throw FleetError.inconsistent("host \(host.name)'s head \(head) is not among its stored ops")
    }

    /// Stores one verified batch and moves the host's head, in one transaction.
    private func store(_ batch: PushPipeline.Batch, host: inout FleetHostState) throws {
        try connection.transaction {
            let locked = try connection.execute("SELECT head_seq FROM host WHERE host_id = $1 FOR UPDATE", [String(host.id)])
            guard locked.first?.integer("head_seq") == host.headSeq else {
                throw FleetError.refused(host: host.name, reason: "another push of this host stored ops meanwhile; push again")
            }
            for (table, text) in batch.tables {
                try connection.copy(into: table.name, columns: ["host_id"] + table.columns, text: text)
            }
            if !batch.pages.isEmpty { try storePages(batch.pages, host: host.id) }
            try connection.execute("""
                UPDATE host SET head_seq = $2, head_hash = $3::bytea, legacy_allowed = $4, ops = ops + $5, last_push = now() WHERE host_id = $1
                """, [String(host.id), String(batch.last.seq), "\\x" + hexDigits(batch.last.hash), batch.legacyAllowed ? "true" : "false",
                      String(batch.count)])
        }
        host.headSeq = batch.last.seq
        host.headHash = batch.last.hash
        host.legacyAllowed = batch.legacyAllowed
    }

    /// Pages of `--content full`, stored once per host.
    private func storePages(_ pages: [(hash: Data, bytes: Data)], host: Int64) throws {
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS page_data_in (hash bytea, bytes bytea) ON COMMIT DELETE ROWS")
        try connection.copy(into: "page_data_in", columns: ["hash", "bytes"]) { text in
            for page in pages {
                text.bytes(page.hash); text.bytes(page.bytes)
                text.endRow()
            }
        }
        try connection.execute("""
            INSERT INTO page_data (host_id, hash, bytes) SELECT $1, hash, bytes FROM page_data_in ON CONFLICT DO NOTHING
            """, [String(host)])
    }

    private func hasSummary(_ host: FleetHostState) throws -> Bool {
        !(try connection.execute("SELECT 1 FROM generation_summary WHERE host_id = $1 LIMIT 1", [String(host.id)]).isEmpty)
    }

    /// Replaces the host's summary rows and (with `audit`) findings by
    /// those of its ledger now; returns the number of findings.
    private func storeDerived(from ledger: Ledger, host: FleetHostState, audit: Bool) throws -> Int? {
        let summary: QueryResult, findings: [AuditFinding]?
        do {
            summary = try CannedReport.named("summary").run(on: ReadOnlyConnection(readingAt: ledger.path))
            findings = audit ? try LedgerAudit(ledger: ledger).findings(through: host.headSeq) : nil
        } catch {
            throw FleetError.derivation(String(describing: error))
        }
        try connection.transaction {
            try connection.execute("DELETE FROM generation_summary WHERE host_id = $1", [String(host.id)])
            let columns = ["generation", "point_seq", "handed_over", "preserved_blocks", "preserved_bytes", "vmalloc_bytes", "folio_bytes",
                           "pages_bytes", "blob_bytes", "areas", "subtrees"]
            let positions = columns.map { summary.column($0) }
            try connection.copy(into: "generation_summary", columns: ["host_id"] + columns) { text in
                for row in summary.rows {
                    text.int(host.id)
                    for (column, position) in zip(columns, positions) {
                        let value = position.map { row[$0] } ?? .null
                        if column == "handed_over" { text.text(value == .integer(0) ? "false" : "true") }
                        else if case .integer(let number) = value { text.int(number) } else { text.null() }
                    }
                    text.endRow()
                }
            }
            guard let findings else { return }
            try connection.execute("DELETE FROM audit_finding WHERE host_id = $1", [String(host.id)])
            try connection.copy(into: "audit_finding", columns: ["host_id", "idx", "code", "severity", "seq", "generation", "subject", "message"]) { text in
                for (i, finding) in findings.enumerated() {
                    text.int(host.id); text.int(Int64(i)); text.text(finding.code.rawValue); text.text(finding.severity.rawValue)
                    text.int(finding.seq); text.int(finding.generation); text.text(finding.subject); text.text(finding.message)
                    text.endRow()
                }
            }
            try connection.execute("UPDATE host SET audited_seq = $2 WHERE host_id = $1", [String(host.id), String(host.headSeq)])
        }
        return findings?.count
    }
}
