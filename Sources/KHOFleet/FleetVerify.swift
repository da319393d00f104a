import Foundation
import KHOLedger

/// How one host's chain stands in the store.
public struct FleetVerifyReport: Sendable, Equatable {
    public var host: String
    /// Ops whose hash was recomputed from their stored rows.
    public var checked: Int
    /// Ops of a `--content none` host that set page contents: only their
    /// link to the op before them was checked.
    public var linkedOnly: Int
    /// The first seq whose stored rows or hashes do not hold, if any.
    public var firstBroken: Int64?
    /// What did not hold.
    public var reason: String?
    /// The last op that held.
    public var head: ChainHead?

    public var isIntact: Bool { firstBroken == nil }
}

extension FleetStore {
    /// Recomputes the hash chain of host `name` (nil: of every host) from
    /// the rows stored for it, with the ledger's own rule (``ChainLink``),
    /// and checks that the host's head is its last op.
    public func verify(host name: String? = nil, batchSize: Int = FleetStore.defaultBatchSize,
                       progress: WorkProgress = { _, _ in }) throws(FleetError) -> [FleetVerifyReport] {
        let hosts = try self.hosts().filter { name == nil || $0.name == name }
        if let name, hosts.isEmpty { throw .unknownHost(name) }
        return try fleetErrors {
            try hosts.map { host in try verify(host, batchSize: batchSize, progress: progress) }
        }
    }

    private func verify(_ host: FleetHostState, batchSize: Int, progress: WorkProgress) throws -> FleetVerifyReport {
        var report = FleetVerifyReport(host: host.name, checked: 0, linkedOnly: 0)
        var link = ChainLink()
        var after: Int64 = 0
        func broken(_ seq: Int64, _ reason: String) -> FleetVerifyReport {
            var broken = report
            broken.firstBroken = seq
            broken.reason = reason
            return broken
        }
        while true {
            let batch: [FleetChainReader.StoredOp]
            do {
                batch = try FleetChainReader(connection: connection, host: host.id).read(after: after, limit: batchSize)
            } catch let corrupt as FleetChainReader.CorruptStoredRow {
                return broken(corrupt.seq, corrupt.row.description)
            }
            guard let last = batch.last else { break }
            for op in batch {
                let seq = op.rows.op.seq
                guard seq == (report.head?.seq ?? 0) + 1 else { return broken((report.head?.seq ?? 0) + 1, "no op is stored with this seq") }
                if host.content == .none, op.contents > 0 {
                    guard link.link(previousHash: op.previousHash, hash: op.hash) else {
                        return broken(seq, "prev_hash does not equal the hash of the op before it")
                    }
                    report.linkedOnly += 1
                } else {
                    switch link.check(op.rows, previousHash: op.previousHash, hash: op.hash) {
                    case .current, .legacy: report.checked += 1
                    case .wrongPrevious: return broken(seq, "prev_hash does not equal the hash of the op before it")
                    case .mismatch: return broken(seq, "hash does not match the op's stored rows")
                    }
                }
                report.head = ChainHead(seq: seq, hash: op.hash)
            }
            after = last.rows.op.seq
            progress(Int(after), Int(host.headSeq))
        }
        guard report.head == host.head else {
            // The first seq the head and the stored ops disagree on.
            return broken(min(report.head?.seq ?? 0, host.headSeq) + 1,
                          "the host's head is \(host.head.map(\.description) ?? "none") but its last stored op is \(report.head.map(\.description) ?? "none")")
        }
        return report
    }
}

/// Reads a host's stored ops back as the ledger's ``OpRows``, a batch of
/// seqs at a time, each table by seq range through its primary key.
struct FleetChainReader {
    /// One stored op.
    struct StoredOp {
        var rows: OpRows
        var previousHash: Data
        var hash: Data
        /// The page contents the op set on its host.
        var contents: Int64
    }

    /// A stored value no ledger holds, in the op at `seq`.
    struct CorruptStoredRow: Error {
        var seq: Int64
        var row: CorruptRow
    }

    let connection: PostgresConnection
    let host: Int64

    func read(after lower: Int64, limit: Int) throws -> [StoredOp] {
        var ops: [StoredOp] = []
        var position: [Int64: Int] = [:]
        let stored = try connection.execute("SELECT * FROM op WHERE host_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                                            [String(host), String(lower), String(limit)])
        for row in stored {
            let op = LedgerRow(row, table: "op", key: "host_id, seq")
            let seq = row.integer("seq") ?? lower + Int64(ops.count) + 1
            do {
                ops.append(StoredOp(rows: OpRows(op: try OpRow(op)), previousHash: try op.blob("prev_hash"), hash: try op.blob("hash"),
                                    contents: try op.integer("contents")))
            } catch {
                throw CorruptStoredRow(seq: seq, row: error)
            }
            position[seq] = ops.count - 1
        }
        guard let upper = ops.last?.rows.op.seq else { return [] }
        /// Each row of `table` in seq range, ordered by `order`, handed to `add` with its op's index.
        func each(_ table: String, order: String, _ add: (Int, LedgerRow<PostgresRow>) throws(CorruptRow) -> Void) throws {
            for row in try connection.execute("SELECT * FROM \(table) WHERE host_id = $1 AND seq > $2 AND seq <= $3 ORDER BY \(order)",
                                              [String(host), String(lower), String(upper)]) {
                guard let seq = row.integer("seq"), let i = position[seq] else { continue }
                do { try add(i, LedgerRow(row, table: table, key: "host_id, " + order)) } catch { throw CorruptStoredRow(seq: seq, row: error) }
            }
        }
        try each("op_change", order: "seq, part") { i, row throws(CorruptRow) in ops[i].rows.changes.append(try ChangeRow(row)) }
        try each("object", order: "seq, idx") { i, row throws(CorruptRow) in ops[i].rows.objects.append(try ObjectRows(row)) }
        try each("object_extent", order: "seq, object_idx, first_index") { i, row throws(CorruptRow) in
            let object = Int(try row.integer("object_idx"))
            guard ops[i].rows.objects.indices.contains(object) else { throw row.corrupt("object_idx", expected: "an object of its op") }
            ops[i].rows.objects[object].extents.append(try ExtentRow(row))
        }
        try each("chunk", order: "seq, object_idx, idx") { i, row throws(CorruptRow) in
            let object = Int(try row.integer("object_idx"))
            guard ops[i].rows.objects.indices.contains(object) else { throw row.corrupt("object_idx", expected: "an object of its op") }
            ops[i].rows.objects[object].chunks.append(try ChunkRow(row))
        }
        try each("page_content", order: "seq, idx") { i, row throws(CorruptRow) in ops[i].rows.contents.append(try ContentRow(row)) }
        try each("subtree", order: "seq, idx") { i, row throws(CorruptRow) in ops[i].rows.subtrees.append(try SubtreeRow(row)) }
        try each("boot_memory", order: "seq, idx") { i, row throws(CorruptRow) in ops[i].rows.bootMemory.append(try BootMemoryRow(row)) }
        try each("handover", order: "seq") { i, row throws(CorruptRow) in ops[i].rows.handover = try HandoverRow(row) }
        try each("content_end", order: "seq, idx") { i, row throws(CorruptRow) in ops[i].rows.ends.contents.append(try ContentEnd(row)) }
        try each("object_end", order: "seq, idx") { i, row throws(CorruptRow) in ops[i].rows.ends.objects.append(try ObjectEnd(row)) }
        try each("subtree_end", order: "seq, idx") { i, row throws(CorruptRow) in ops[i].rows.ends.subtrees.append(try SubtreeEnd(row)) }
        for i in ops.indices where ops[i].rows.op.kind == "boot" {
            let seq = ops[i].rows.op.seq
            let rows = try connection.execute("SELECT * FROM generation WHERE host_id = $1 AND generation = $2",
                                              [String(host), String(ops[i].rows.op.generation)])
            guard let row = rows.first else { continue }
            do {
                ops[i].rows.generation = try GenerationRow(row: LedgerRow(row, table: "generation", key: "host_id, generation"))
            } catch {
                throw CorruptStoredRow(seq: seq, row: error)
            }
        }
        for i in ops.indices where ops[i].rows.op.kind == "kexec" && ops[i].rows.handover == nil {
            ops[i].rows.handover = HandoverRow(kexecSeq: 0, rootFDT: nil)
        }
        return ops
    }
}
