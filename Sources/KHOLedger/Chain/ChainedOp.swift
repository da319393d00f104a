import Foundation
import GRDB

/// One operation as the hash chain holds it: every row its hash covers
/// (interval ends included) and its stored hashes.
public struct ChainedOp: Equatable, Sendable {
    public var rows: OpRows
    /// The stored `prev_hash`.
    public var previousHash: Data
    /// The stored `hash`.
    public var hash: Data
    /// The bytes of each of ``OpRows/contents``' pages, in the same order,
    /// when they were asked for (else empty).
    public var pageBytes: [Data] = []

    public init(rows: OpRows, previousHash: Data, hash: Data) {
        self.rows = rows
        self.previousHash = previousHash
        self.hash = hash
    }
}

extension Ledger {
    /// Reads the ops after seq `after` (0: from the first) in seq order,
    /// `batchSize` at a time, with every row each op's hash covers (and with
    /// `pageBytes` the bytes of the pages its contents name), all in one
    /// read transaction, and hands each batch to `body`.
    ///
    /// Each table is read by seq range through its index, a batch at a
    /// time, not op by op: a million ops are read in a few hundred queries.
    /// The rows are those ``ChainVerifier`` hashes; the batches are not
    /// verified here (``ChainLink`` does that). A stored value no recording
    /// writes is ``LedgerError/corruptRow(path:_:)``, an ended interval no op
    /// ends ``LedgerError/inconsistent(_:)``; an error `body` throws passes
    /// through unchanged.
    public func forEachChainedBatch(after: Int64, batchSize: Int, pageBytes: Bool = false, _ body: ([ChainedOp]) throws -> Void) throws {
        try read { snapshot in
            let db = snapshot.db
            let last = try Row.fetchOne(db, sql: "SELECT * FROM op WHERE seq = ?", arguments: [after])
                .map { try OpRow(LedgerRow($0, table: "op", key: "seq")) }
            var ends = try IntervalEndStreams(db, after: last)
            var lower = after
            do {
                while case let batch = try ChainedBatch.read(after: lower, limit: batchSize, pageBytes: pageBytes, db: db), let upper = batch.last?.rows.op.seq {
                    var ops = batch
                    for i in ops.indices { ops[i].rows.ends = try ends.ends(of: ops[i].rows.op) }
                    try body(ops)
                    lower = upper
                }
                try ends.requireExhausted(after: lower)
            } catch let unclaimed as UnclaimedEnd {
                throw LedgerError.inconsistent(unclaimed.description)
            }
        }
    }
}

/// The reading of one batch of ops with their hashed rows (without ends).
private enum ChainedBatch {
    static func read(after lower: Int64, limit: Int, pageBytes: Bool, db: Database) throws -> [ChainedOp] {
        var ops: [ChainedOp] = []
        var position: [Int64: Int] = [:]
        for row in try IndexedRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM op WHERE seq > ? ORDER BY seq LIMIT ?"), arguments: [lower, limit]) {
            let op = LedgerRow(row, table: "op", key: "seq")
            var rows = OpRows(op: try OpRow(op))
            try ChainVerifier.readGenerationColumns(of: &rows, db: db)
            position[rows.op.seq] = ops.count
            ops.append(ChainedOp(rows: rows, previousHash: try op.blob("prev_hash"), hash: try op.blob("hash")))
        }
        guard let upper = ops.last?.rows.op.seq else { return [] }
        let range: StatementArguments = [lower, upper]
        /// The op a row of `table` belongs to, by its seq column.
        func owner(_ row: LedgerRow<IndexedRow>, _ column: String) throws -> Int? { position[try row.integer(column)] }

        for row in try IndexedRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM op_change WHERE seq > ? AND seq <= ? ORDER BY seq, part"),
                                    arguments: range) {
            let change = LedgerRow(row, table: "op_change", key: "seq, part")
            if let i = try owner(change, "seq") { ops[i].rows.changes.append(try ChangeRow(change)) }
        }
        for row in try IndexedRow.fetchAll(db.cachedStatement(sql: """
            SELECT c.lineage, c.phys, c.from_seq, d.hash\(pageBytes ? ", d.bytes" : "") FROM page_content c JOIN page_data d ON d.id = c.data_id
            WHERE c.from_seq > ? AND c.from_seq <= ? ORDER BY c.from_seq, c.phys
            """), arguments: range) {
            let content = LedgerRow(row, table: "page_content", key: "lineage, phys, from_seq")
            guard let i = try owner(content, "from_seq") else { continue }
            ops[i].rows.contents.append(try ContentRow(content))
            if pageBytes { ops[i].pageBytes.append(try content.blob("bytes")) }
        }
        for row in try IndexedRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM boot_memory WHERE seq > ? AND seq <= ? ORDER BY seq, idx"),
                                    arguments: range) {
            let memory = LedgerRow(row, table: "boot_memory", key: "seq, idx")
            if let i = try owner(memory, "seq") { ops[i].rows.bootMemory.append(try BootMemoryRow(memory)) }
        }
        // Objects and subtrees belong to the op of their from_seq in their own generation.
        let generations = Set(ops.map(\.rows.op.generation)).sorted()
        func starting(_ table: String, _ generation: Int64) throws -> [(op: Int, row: LedgerRow<IndexedRow>)] {
            try IndexedRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM \(table) WHERE generation = ? AND from_seq > ? AND from_seq <= ? ORDER BY from_seq, id
                """), arguments: [generation, lower, upper]).compactMap { row in
                let stored = LedgerRow(row, table: table)
                guard let i = try owner(stored, "from_seq"), ops[i].rows.op.generation == generation else { return nil }
                return (i, stored)
            }
        }
        var objects: [(op: Int, id: Int64, rows: ObjectRows)] = []
        for generation in generations {
            for (i, object) in try starting("object", generation) { objects.append((i, try object.integer("id"), try ObjectRows(object))) }
            for (i, subtree) in try starting("subtree", generation) { ops[i].rows.subtrees.append(try SubtreeRow(subtree)) }
        }
        if let first = objects.map(\.id).min(), let last = objects.map(\.id).max() {
            var extents: [Int64: [ExtentRow]] = [:], chunks: [Int64: [ChunkRow]] = [:]
            for row in try IndexedRow.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM object_extent WHERE object_id BETWEEN ? AND ? ORDER BY object_id, first_index
                """), arguments: [first, last]) {
                let extent = LedgerRow(row, table: "object_extent", key: "object_id, first_index")
                extents[try extent.integer("object_id"), default: []].append(try ExtentRow(extent))
            }
            for row in try IndexedRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM chunk WHERE object_id BETWEEN ? AND ? ORDER BY object_id, idx"),
                                        arguments: [first, last]) {
                let chunk = LedgerRow(row, table: "chunk", key: "object_id, idx")
                chunks[try chunk.integer("object_id"), default: []].append(try ChunkRow(chunk))
            }
            for (i, id, var object) in objects.sorted(by: { ($0.op, $0.id) < ($1.op, $1.id) }) {
                object.extents = extents[id] ?? []
                object.chunks = chunks[id] ?? []
                ops[i].rows.objects.append(object)
            }
        }
        return ops
    }
}
