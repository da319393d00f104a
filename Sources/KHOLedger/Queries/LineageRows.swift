import Foundation
import GRDB
import KHOABI

/// One kind of row operations derive, compared between two ledgers that
/// recorded the same operations (a recording and its replay): a query
/// listing a lineage's rows in op order (bound to `:lineage`), whose first
/// column `at` is the seq of the op that made the row, without the ids,
/// seqs and generation numbers that differ between two ledgers.
public struct LineageRows: Sendable {
    /// The table named in a divergence.
    public let table: String
    let sql: String
    /// Columns that name a row in a divergence.
    let key: [String]

    /// Every kind, in the order a divergence is looked for within an op.
    public static let all: [LineageRows] = [
        LineageRows(table: "op", sql: """
            SELECT op.seq AS at, op.kind, op.subject, op.args, op.result, op.errno, op.detail
            FROM op JOIN generation g ON g.generation = op.generation WHERE g.lineage = :lineage ORDER BY op.seq
            """, key: []),
        // The layout tables are compared block by block (the views of
        // migration 0010): a ledger recorded before schema 2 (migration
        // 0009) stores scattered blocks one row each, its replay packs them
        // (``PackedBlocks``), and both hold the same blocks. A row's first
        // block is compared at the row's `phys`, which for a packed row must
        // agree with its list. A block's preserved intervals are compared
        // merged where one ends as the next starts: how rows were split differs.
        LineageRows(table: "op_change", sql: """
            SELECT b.seq AS at, b.action,
                   iif(b.i = 0, (SELECT c.phys FROM op_change c WHERE c.seq = b.seq AND c.part = b.part), b.phys) AS phys, b.ord
            FROM op_change_block b JOIN generation g ON g.generation = b.generation
            WHERE g.lineage = :lineage ORDER BY b.seq, b.part, b.i
            """, key: ["action", "phys"]),
        LineageRows(table: "preserved_run", sql: """
            WITH block AS (
                SELECT b.generation, iif(b.i = 0, (SELECT r.phys FROM preserved_run r WHERE r.id = b.id), b.phys) AS phys, b.ord,
                       b.from_seq, b.to_seq
                FROM preserved_run_block b JOIN generation g ON g.generation = b.generation
                WHERE g.lineage = :lineage
            ),
            marked AS (
                SELECT generation, phys, ord, from_seq, to_seq,
                       CASE WHEN lag(to_seq) OVER piece IS from_seq THEN 0 ELSE 1 END AS starts
                FROM block WINDOW piece AS (PARTITION BY generation, phys, ord ORDER BY from_seq)
            ),
            grouped AS (
                SELECT generation, phys, ord, from_seq, to_seq,
                       sum(starts) OVER (PARTITION BY generation, phys, ord ORDER BY from_seq ROWS UNBOUNDED PRECEDING) AS interval
                FROM marked
            )
            SELECT min(from_seq) AS at, phys, ord, CASE WHEN count(to_seq) < count(*) THEN NULL ELSE max(to_seq) END AS to_seq
            FROM grouped GROUP BY generation, phys, ord, interval ORDER BY at, phys, ord
            """, key: ["phys", "ord"]),
        LineageRows(table: "object", sql: """
            SELECT o.from_seq AS at, o.kind, o.name, o.descriptor_phys, o.first_chunk, o.total_pages, o.flags, o.ord, o.to_seq
            FROM object o JOIN generation g ON g.generation = o.generation WHERE g.lineage = :lineage ORDER BY o.from_seq, o.id
            """, key: ["kind", "name"]),
        LineageRows(table: "object_extent", sql: """
            SELECT o.from_seq AS at, o.name, b.idx AS "index",
                   iif(b.i = 0, (SELECT e.phys FROM object_extent e WHERE e.object_id = b.object_id AND e.first_index = b.idx), b.phys) AS phys,
                   b.ord
            FROM object o JOIN generation g ON g.generation = o.generation JOIN object_extent_block b ON b.object_id = o.id
            WHERE g.lineage = :lineage ORDER BY o.from_seq, o.id, b.idx
            """, key: ["name", "index"]),
        LineageRows(table: "chunk", sql: """
            SELECT o.from_seq AS at, o.name, c.idx, c.phys, c.next, c.entries, c.bytes
            FROM object o JOIN generation g ON g.generation = o.generation JOIN chunk c ON c.object_id = o.id
            WHERE g.lineage = :lineage ORDER BY o.from_seq, o.id, c.idx
            """, key: ["name", "idx"]),
        LineageRows(table: "page_content", sql: """
            SELECT c.from_seq AS at, c.phys, d.hash, c.to_seq FROM page_content c JOIN page_data d ON d.id = c.data_id
            WHERE c.lineage = :lineage ORDER BY c.from_seq, c.phys
            """, key: ["phys"]),
        LineageRows(table: "subtree", sql: """
            SELECT s.from_seq AS at, s.direction, s.name, s.phys, s.size, s.blob, s.to_seq
            FROM subtree s JOIN generation g ON g.generation = s.generation WHERE g.lineage = :lineage ORDER BY s.from_seq, s.id
            """, key: ["direction", "name"]),
        LineageRows(table: "generation", sql: """
            SELECT boot_seq AS at, boot_number, abi, page_size, memory_base, memory_size, tracker_root, fdt_phys, root_fdt,
                   kexec_seq, machine
            FROM generation WHERE lineage = :lineage ORDER BY boot_seq
            """, key: ["boot_number"]),
    ]

    /// Columns holding a seq, which the replay numbers differently.
    static let seqColumns: Set<String> = ["to_seq", "kexec_seq"]
    /// Columns an op after the row's own sets, with the seq column naming that op.
    static let setLater = ["root_fdt": "kexec_seq"]
    /// Columns shown in hex.
    static let addressColumns: Set<String> = ["phys", "next", "descriptor_phys", "first_chunk", "tracker_root", "fdt_phys", "memory_base"]

    /// The rows of `lineage` in `snapshot`, one op at a time. The stream
    /// is read while another ledger's is: its errors are
    /// ``LedgerError``s naming its own ledger.
    public func stream(_ snapshot: LedgerSnapshot, lineage: Int64) throws(LedgerError) -> Stream {
        do {
            let statement = try snapshot.db.makeStatement(sql: sql)
            return Stream(try Row.fetchCursor(statement, arguments: ["lineage": lineage]), columns: Array(statement.columnNames.dropFirst()),
                          path: snapshot.path)
        } catch {
            throw LedgerError(reading: error, at: snapshot.path)
        }
    }

    /// A query's rows handed out op by op, as the values of every column but `at`.
    public final class Stream {
        /// The compared columns.
        let columns: [String]
        private let cursor: RowCursor
        /// The ledger read.
        private let path: String
        private var next: (at: Int64, values: [DatabaseValue])?
        private var started = false

        init(_ cursor: RowCursor, columns: [String], path: String) {
            self.cursor = cursor
            self.columns = columns
            self.path = path
        }

        /// The rows made by the op at `seq`, and any left over from seqs
        /// before it that no op claimed.
        func rows(upTo seq: Int64) throws(LedgerError) -> [[DatabaseValue]] {
            if !started {
                try advance()
                started = true
            }
            var rows: [[DatabaseValue]] = []
            while let row = next, row.at <= seq {
                rows.append(row.values)
                try advance()
            }
            return rows
        }

        private func advance() throws(LedgerError) {
            do {
                next = try cursor.next().map { row in
                    let values = Array(row.databaseValues)
                    return (Int64.fromDatabaseValue(values[0]) ?? 0, Array(values.dropFirst()))
                }
            } catch {
                throw LedgerError(reading: error, at: path)
            }
        }
    }

    /// What differs first between the rows the op at `seq` made in the
    /// recorded ledger (`recorded`) and those the op at `replayedSeq` made
    /// in the replay (`replayed`), or nil. Seq columns are compared
    /// translated: a recorded seq by `asReplayed` (nil: one the replay
    /// cannot know), a replayed one by `asRecorded`.
    public func difference(recorded: Stream, at seq: Int64, replayed: Stream, at replayedSeq: Int64,
                           asReplayed: (Int64) -> Int64?, asRecorded: (Int64) -> Int64) throws(LedgerError) -> String? {
        let columns = recorded.columns
        let old = try recorded.rows(upTo: seq).map { translate($0, columns, seq: asReplayed) }
        let new = try replayed.rows(upTo: replayedSeq).map { translate($0, columns) { asRecorded($0) } }
        if old.count != new.count {
            let keyIndices = key.compactMap { columns.firstIndex(of: $0) }
            let keyOf = { (row: [DatabaseValue]) in keyIndices.map { row[$0] } }
            let (oldKeys, newKeys) = (Set(old.map(keyOf)), Set(new.map(keyOf)))
            if let missing = old.first(where: { !newKeys.contains(keyOf($0)) }) {
                return "the replay lacks the row \(describe(missing, columns))"
            }
            if let extra = new.first(where: { !oldKeys.contains(keyOf($0)) }) {
                return "the replay has an extra row \(describe(extra, columns))"
            }
        }
        for (expected, actual) in zip(old, new) {
            for (index, column) in columns.enumerated() where expected[index] != actual[index] {
                let row = key.isEmpty ? "" : "row \(describe(expected, columns)): "
                return row + (Self.blobDifference(column, expected[index], actual[index])
                    ?? "\(column) recorded \(Self.text(expected[index], column)), replayed \(Self.text(actual[index], column))")
            }
        }
        if old.count > new.count { return "the replay lacks the row \(describe(old[new.count], columns))" }
        if new.count > old.count { return "the replay has an extra row \(describe(new[old.count], columns))" }
        return nil
    }

    /// `row` with its seq columns passed through `seq` (NULL for nil), and
    /// the columns a later op sets NULL when that op's seq is.
    private func translate(_ row: [DatabaseValue], _ columns: [String], seq: (Int64) -> Int64?) -> [DatabaseValue] {
        var row = row
        for (index, column) in columns.enumerated() where Self.seqColumns.contains(column) {
            if let value = Int64.fromDatabaseValue(row[index]) { row[index] = seq(value)?.databaseValue ?? .null }
        }
        for (index, column) in columns.enumerated() {
            if let setter = Self.setLater[column], let setterIndex = columns.firstIndex(of: setter), row[setterIndex].isNull {
                row[index] = .null
            }
        }
        return row
    }

    /// `{name: "buf", idx: 0}`: the key columns of a row (every column when the kind has no key).
    private func describe(_ row: [DatabaseValue], _ columns: [String]) -> String {
        let shown = key.isEmpty ? columns : key
        return "{" + shown.compactMap { name in
            columns.firstIndex(of: name).map { "\(name): \(Self.text(row[$0], name))" }
        }.joined(separator: ", ") + "}"
    }

    /// A value as a person reads it: addresses in hex, blobs by size (hashes in hex).
    private static func text(_ value: DatabaseValue, _ column: String) -> String {
        switch value.storage {
        case .null: return "NULL"
        case .int64(let number): return addressColumns.contains(column) ? hex(UInt64(bitPattern: number)) : "\(number)"
        case .double(let number): return "\(number)"
        case .string(let string): return string.count > 200 ? "\"\(string.prefix(200))…\"" : "\"\(string)\""
        case .blob(let data):
            return data.count <= 32 ? hexDigits(data) : "\(data.count) bytes"
        }
    }

    /// `bytes differ at byte N of M: recorded 0x12, replayed 0x00` for two
    /// long blobs of one length, else nil.
    private static func blobDifference(_ column: String, _ old: DatabaseValue, _ new: DatabaseValue) -> String? {
        guard case .blob(let a) = old.storage, case .blob(let b) = new.storage, a.count > 32, a.count == b.count,
              let offset = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else { return nil }
        return "\(column) differ at byte \(offset) of \(a.count): "
            + String(format: "recorded 0x%02x, replayed 0x%02x", a[a.startIndex + offset], b[b.startIndex + offset])
    }
}
