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
        do {
            return try ledger.database.read { db in
                var report = Report(checked: 0, firstBroken: nil, reason: nil)
                var previous = HashChain.genesis
                var legacyAllowed = true
                var ends = try IntervalEndStreams(db)
                let ops = try Row.fetchCursor(db, sql: "SELECT * FROM op ORDER BY seq")
                while let row = try ops.next() {
                    let seq: Int64 = row["seq"]
                    let storedPrevious: Data = row["prev_hash"]
                    let stored: Data = row["hash"]
                    func broken(_ reason: String) -> Report {
                        Report(checked: report.checked, firstBroken: seq, reason: reason, legacy: report.legacy, head: report.head)
                    }
                    guard storedPrevious == previous else { return broken("prev_hash does not equal the hash of the op before it") }
                    var rows = try Self.rows(of: row, db: db)
                    do {
                        rows.ends = try ends.ends(of: rows.op)
                    } catch let unclaimed as UnclaimedEnd {
                        return broken(unclaimed.description)
                    }
                    if HashChain.hash(rows, previous: previous) == stored {
                        if !HashChain.Version.v1.covers(rows) { legacyAllowed = false }
                    } else if legacyAllowed, HashChain.hash(rows, previous: previous, version: .v1) == stored {
                        report.legacy += 1
                    } else if let generation = rows.generation,
                              case let differences = try GenerationDiagnosis.differences(generation, boot: rows.op, db: db), !differences.isEmpty {
                        return broken("generation row \(generation.generation): " + differences.joined(separator: "; "))
                    } else if let handover = rows.handover, handover.kexecSeq != seq {
                        return broken("generation row \(rows.op.generation): kexec_seq is not \(seq), the seq of its kexec")
                    } else {
                        return broken("hash does not match \(Self.coverage(of: rows))")
                    }
                    previous = stored
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
        } catch {
            throw .database(path: ledger.path, DatabaseFailure(error))
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
        do {
            return try ledger.database.read { db in
                let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM op") ?? 0
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
        } catch {
            throw .database(path: ledger.path, DatabaseFailure(error))
        }
    }

    /// The hashed rows of one op, read back in canonical order. Objects and
    /// subtrees are looked up by (generation, from_seq), their indexes; the
    /// statements are compiled once per connection, not once per op.
    static func rows(of row: Row, db: Database) throws -> OpRows {
        let seq: Int64 = row["seq"]
        let generation: Int64 = row["generation"]
        var rows = OpRows(op: OpRow(seq: seq, generation: generation, time: row["time"], kind: row["kind"],
                                    subject: row["subject"], args: row["args"], result: row["result"],
                                    errno: row["errno"], detail: row["detail"]))
        rows.changes = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM op_change WHERE seq = ? ORDER BY part"), arguments: [seq]).map {
            ChangeRow(part: $0["part"], action: $0["action"], phys: $0["phys"], ord: $0["ord"], count: $0["count"])
        }
        for object in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM object WHERE generation = ? AND from_seq = ? ORDER BY id"),
                                          arguments: [generation, seq]) {
            let id: Int64 = object["id"]
            var value = ObjectRows(kind: object["kind"], name: object["name"], descriptorPhys: object["descriptor_phys"],
                                   firstChunk: object["first_chunk"], totalPages: object["total_pages"],
                                   flags: object["flags"], ord: object["ord"])
            value.extents = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM object_extent WHERE object_id = ? ORDER BY first_index"),
                                             arguments: [id]).map {
                ExtentRow(firstIndex: $0["first_index"], phys: $0["phys"], ord: $0["ord"], count: $0["count"])
            }
            value.chunks = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM chunk WHERE object_id = ? ORDER BY idx"), arguments: [id]).map {
                ChunkRow(idx: $0["idx"], phys: $0["phys"], next: $0["next"], entries: $0["entries"], bytes: $0["bytes"])
            }
            rows.objects.append(value)
        }
        rows.contents = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT c.phys, d.hash FROM page_content c JOIN page_data d ON d.id = c.data_id
            WHERE c.from_seq = ? ORDER BY c.phys
            """),
                                         arguments: [seq]).map { ContentRow(phys: $0["phys"], hash: $0["hash"]) }
        rows.subtrees = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM subtree WHERE generation = ? AND from_seq = ? ORDER BY id"),
                                           arguments: [generation, seq]).map {
            SubtreeRow(direction: $0["direction"], name: $0["name"], phys: $0["phys"], size: $0["size"], blob: $0["blob"])
        }
        rows.bootMemory = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM boot_memory WHERE seq = ? ORDER BY idx"),
                                           arguments: [seq]).map {
            BootMemoryRow(name: $0["name"], idx: $0["idx"], phys: $0["phys"], size: $0["size"])
        }
        switch rows.op.kind {
        case "boot":
            rows.generation = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM generation WHERE generation = ?"), arguments: [generation])
                .map(GenerationRow.init(row:))
        case "kexec":
            let handover = try Row.fetchOne(db.cachedStatement(sql: "SELECT kexec_seq, root_fdt FROM generation WHERE generation = ?"),
                                            arguments: [generation])
            let kexecSeq: Int64? = handover?["kexec_seq"]
            rows.handover = HandoverRow(kexecSeq: kexecSeq ?? 0, rootFDT: handover?["root_fdt"])
        default:
            break
        }
        return rows
    }
}
