import Foundation
import GRDB

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

        public var isIntact: Bool { firstBroken == nil }
    }

    public let ledger: Ledger

    public init(ledger: Ledger) { self.ledger = ledger }

    /// Verifies every op in seq order, inside one read transaction.
    public func verify() throws(LedgerError) -> Report {
        do {
            return try ledger.database.read { db in
                var previous = HashChain.genesis
                var checked = 0
                let ops = try Row.fetchCursor(db, sql: "SELECT * FROM op ORDER BY seq")
                while let row = try ops.next() {
                    let seq: Int64 = row["seq"]
                    let storedPrevious: Data = row["prev_hash"]
                    let stored: Data = row["hash"]
                    guard storedPrevious == previous else {
                        return Report(checked: checked, firstBroken: seq,
                                      reason: "prev_hash does not equal the hash of the op before it")
                    }
                    let rows = try Self.rows(of: row, db: db)
                    guard HashChain.hash(rows, previous: previous) == stored else {
                        return Report(checked: checked, firstBroken: seq,
                                      reason: "hash does not match the op row and its derived rows")
                    }
                    previous = stored
                    checked += 1
                }
                return Report(checked: checked, firstBroken: nil, reason: nil)
            }
        } catch {
            throw .database("\(ledger.path): \(error)")
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
        return rows
    }
}
