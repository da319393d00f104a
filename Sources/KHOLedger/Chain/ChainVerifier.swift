import Foundation
import GRDB
import KHOABI

/// Recomputes the hash chain from the stored rows.
public struct ChainVerifier {
    /// The outcome of a verification.
    public struct Report: Equatable, Sendable {
        /// Ops checked.
        public var checked: Int
        /// The first seq whose stored hashes do not match its rows, if any.
        public var firstBroken: Int64?
        /// What did not match.
        public var reason: String?
        /// Ops that carry their ``HashChain/Version/v1`` hash (recorded
        /// before generation rows and interval ends were chained): their
        /// generation rows and ends are not covered.
        public var legacy = 0
        /// The last op verified (nil when none was).
        public var head: ChainHead?

        public var isIntact: Bool { firstBroken == nil }
    }

    public let ledger: Ledger

    public init(ledger: Ledger) { self.ledger = ledger }

    /// Verifies every op in seq order, inside one read transaction.
    ///
    /// Each op's hash must be its ``HashChain/Version/v2`` hash. Ops recorded
    /// before v2 (a ledger's first ops, up to the first op only v2 covers)
    /// may carry their ``HashChain/Version/v1`` hash instead; they are
    /// counted in ``Report/legacy``.
    public func verify() throws(LedgerError) -> Report {
        return try ledger.reading { db in
            var report = Report(checked: 0, firstBroken: nil, reason: nil)
            var link = ChainLink()
            var ends = try IntervalEndStreams(db)
            let ops = try Row.fetchCursor(db, sql: "SELECT * FROM op ORDER BY seq")
            while let row = try ops.next() {
                let op = LedgerRow(row, table: "op", key: "seq")
                // A seq that is not an integer breaks the chain after the last op verified.
                let seq = (try? op.integer("seq")) ?? (report.head?.seq ?? 0) + 1
                func broken(_ reason: String) -> Report {
                    Report(checked: report.checked, firstBroken: seq, reason: reason, legacy: report.legacy, head: report.head)
                }
                let storedPrevious: Data, stored: Data
                var rows: OpRows
                do {
                    (storedPrevious, stored) = (try op.blob("prev_hash"), try op.blob("hash"))
                    rows = try Self.rows(of: row, db: db)
                } catch let corrupt as CorruptRow {
                    return broken(corrupt.description)
                }
                guard storedPrevious == link.previous else { return broken("prev_hash does not equal the hash of the op before it") }
                do {
                    rows.ends = try ends.ends(of: rows.op)
                } catch let unclaimed as UnclaimedEnd {
                    return broken(unclaimed.description)
                } catch let corrupt as CorruptRow {
                    return broken(corrupt.description)
                }
                switch link.check(rows, previousHash: storedPrevious, hash: stored) {
                case .current:
                    break
                case .legacy:
                    report.legacy += 1
                case .wrongPrevious, .mismatch:
                    if let generation = rows.generation,
                       case let differences = try GenerationDiagnosis.differences(generation, boot: rows.op, db: db), !differences.isEmpty {
                        return broken("generation row \(generation.generation): " + differences.joined(separator: "; "))
                    } else if let handover = rows.handover, handover.kexecSeq != seq {
                        return broken("generation row \(rows.op.generation): kexec_seq is not \(seq), the seq of its kexec")
                    }
                    return broken("hash does not match \(Self.coverage(of: rows))")
                }
                report.checked += 1
                report.head = ChainHead(seq: seq, hash: stored)
            }
            do {
                try ends.requireExhausted(after: report.head?.seq ?? 0)
            } catch let unclaimed as UnclaimedEnd {
                return Report(checked: report.checked, firstBroken: report.head?.seq ?? 0, reason: unclaimed.description,
                              legacy: report.legacy, head: report.head)
            }
            return report
        }
    }

    /// What an op's hash covers, named table by table.
    private static func coverage(of rows: OpRows) -> String {
        var parts = ["the op row and the rows it created"]
        if let generation = rows.generation { parts.append("generation row \(generation.generation) (every column its boot set)") }
        if rows.handover != nil { parts.append("its generation row's kexec_seq and root_fdt") }
        parts.append("the to_seq of the page_content, object and subtree rows it ends")
        return parts.joined(separator: ", ")
    }

    /// How the ledger stands against `kept`, a head an earlier verification
    /// printed: nil when its op `kept.seq` still has `kept.hash`, else why
    /// not, in one line.
    public func departure(from kept: ChainHead) throws(LedgerError) -> String? {
        return try ledger.reading { db in
            let last = try OpSeqs.last(LedgerSnapshot(db: db, path: ledger.path)) ?? 0
            guard last >= kept.seq else {
                return "the ledger ends at seq \(last), before the kept head \(kept): "
                    + "operations \(last + 1)…\(kept.seq) were removed"
            }
            let hash = try Data.fetchOne(db, sql: "SELECT hash FROM op WHERE seq = ?", arguments: [kept.seq])
            guard let hash, hash == kept.hash else {
                return "operation \(kept.seq) has hash \(hash.map(hexDigits) ?? "none"), not the kept head's "
                    + "\(hexDigits(kept.hash)): the ledger was rewritten at or before seq \(kept.seq)"
            }
            return nil
        }
    }

    /// The hashed rows of one op, read back in canonical order. Objects and
    /// subtrees are looked up by (generation, from_seq), their indexes; the
    /// statements are compiled once per connection, not once per op.
    static func rows(of row: Row, db: Database) throws -> OpRows {
        var rows = OpRows(op: try OpRow(LedgerRow(row, table: "op", key: "seq")))
        let (seq, generation) = (rows.op.seq, rows.op.generation)
        rows.changes = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM op_change WHERE seq = ? ORDER BY part"), arguments: [seq]).map {
            try ChangeRow(LedgerRow($0, table: "op_change", key: "seq, part"))
        }
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM object WHERE generation = ? AND from_seq = ? ORDER BY id"),
                                    arguments: [generation, seq]) {
            let object = LedgerRow(row, table: "object")
            let id = try object.integer("id")
            var value = try ObjectRows(object)
            value.extents = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM object_extent WHERE object_id = ? ORDER BY first_index"),
                                             arguments: [id]).map { try ExtentRow(LedgerRow($0, table: "object_extent", key: "object_id, first_index")) }
            value.chunks = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM chunk WHERE object_id = ? ORDER BY idx"), arguments: [id]).map {
                try ChunkRow(LedgerRow($0, table: "chunk", key: "object_id, idx"))
            }
            rows.objects.append(value)
        }
        rows.contents = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT c.lineage, c.phys, c.from_seq, d.hash FROM page_content c JOIN page_data d ON d.id = c.data_id
            WHERE c.from_seq = ? ORDER BY c.phys
            """), arguments: [seq]).map { try ContentRow(LedgerRow($0, table: "page_content", key: "lineage, phys, from_seq")) }
        rows.subtrees = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM subtree WHERE generation = ? AND from_seq = ? ORDER BY id"),
                                         arguments: [generation, seq]).map { try SubtreeRow(LedgerRow($0, table: "subtree")) }
        rows.bootMemory = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM boot_memory WHERE seq = ? ORDER BY idx"),
                                           arguments: [seq]).map { try BootMemoryRow(LedgerRow($0, table: "boot_memory", key: "seq, idx")) }
        try readGenerationColumns(of: &rows, db: db)
        return rows
    }

    /// The generation row a boot starts, or the handover a kexec records.
    static func readGenerationColumns(of rows: inout OpRows, db: Database) throws {
        switch rows.op.kind {
        case "boot":
            rows.generation = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM generation WHERE generation = ?"),
                                               arguments: [rows.op.generation])
                .map { try GenerationRow(row: LedgerRow($0, table: "generation", key: "generation")) }
        case "kexec":
            let handover = try Row.fetchOne(db.cachedStatement(sql: "SELECT generation, kexec_seq, root_fdt FROM generation WHERE generation = ?"),
                                            arguments: [rows.op.generation])
            rows.handover = try handover.map { try HandoverRow(LedgerRow($0, table: "generation", key: "generation")) }
                ?? HandoverRow(kexecSeq: 0, rootFDT: nil)
        default:
            break
        }
    }
}
