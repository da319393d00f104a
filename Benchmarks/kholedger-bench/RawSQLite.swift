import Foundation
import GRDBSQLite
import KHOABI
import KHOLedger

/// The physical floor of our storage: the same data written through the
/// SQLite C API directly, with prepared statements in one transaction.
enum RawSQLite {
    /// `raw-blobs`: the bytes as 256 KiB blobs, 64 KiB database pages, WAL.
    static func blobs(_ data: [UInt8], path: String) throws {
        let db = try open(path)
        defer { sqlite3_close(db) }
        try exec(db, "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        try exec(db, "CREATE TABLE blob (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL)")
        try exec(db, "BEGIN")
        let statement = try prepare(db, "INSERT INTO blob (bytes) VALUES (?)")
        defer { sqlite3_finalize(statement) }
        let piece = 256 << 10
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = min(piece, raw.count - offset)
                sqlite3_bind_blob(statement, 1, raw.baseAddress! + offset, Int32(count), nil)
                try step(db, statement)
                offset += count
            }
        }
        try exec(db, "COMMIT")
    }

    /// `raw-rows`: one prepared INSERT per frame (pfn, order, owner, index).
    static func rows(_ frames: [(pfn: UInt64, order: Int, index: Int)], path: String) throws {
        try insertAll(frames, path: path,
                      create: "CREATE TABLE frame (pfn INTEGER NOT NULL, ord INTEGER NOT NULL, owner TEXT NOT NULL, idx INTEGER NOT NULL)",
                      insert: "INSERT INTO frame (pfn, ord, owner, idx) VALUES (?, ?, 'frames', ?)") { statement, frame in
            sqlite3_bind_int64(statement, 1, Int64(bitPattern: frame.pfn))
            sqlite3_bind_int64(statement, 2, Int64(frame.order))
            sqlite3_bind_int64(statement, 3, Int64(frame.index))
        }
    }

    /// Writes `items` into a new table of the WAL database at `path` (64 KiB
    /// pages), one prepared INSERT per item in one transaction; `bind` sets
    /// an item's parameters.
    private static func insertAll<Item>(_ items: [Item], path: String, create: String, insert: String,
                                        bind: (OpaquePointer, Item) -> Void) throws {
        let db = try open(path)
        defer { sqlite3_close(db) }
        try exec(db, "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        try exec(db, create)
        try exec(db, "BEGIN")
        let statement = try prepare(db, insert)
        defer { sqlite3_finalize(statement) }
        for item in items {
            bind(statement, item)
            try step(db, statement)
        }
        try exec(db, "COMMIT")
    }

    /// `full-replay`: the blocks preserved right after `seq`, answered the way
    /// a ledger without interval tables must: by reading every tracker change
    /// from seq 1 on and applying it (the op after a kexec starts an empty set).
    static func replayPreserved(path: String, through seq: Int64, pageSize: UInt64) throws -> Set<PreservedBlock> {
        let db = try open(path)
        defer { sqlite3_close(db) }
        let statement = try prepare(db, """
            SELECT o.kind, c.action, c.phys, c.ord, c.count, c.blocks FROM op o LEFT JOIN op_change c ON c.seq = o.seq
            WHERE o.seq <= ? ORDER BY o.seq, c.part
            """)
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_int64(statement, 1, seq)
        var blocks: Set<PreservedBlock> = []
        var handedOver = false
        while sqlite3_step(statement) == SQLITE_ROW {
            if handedOver { blocks = []; handedOver = false }
            if String(cString: sqlite3_column_text(statement, 0)) == "kexec" { handedOver = true; continue }
            guard sqlite3_column_type(statement, 1) != SQLITE_NULL else { continue }
            let action = String(cString: sqlite3_column_text(statement, 1))
            let phys = UInt64(bitPattern: sqlite3_column_int64(statement, 2))
            let order = Int(sqlite3_column_int64(statement, 3))
            let count = Int(sqlite3_column_int64(statement, 4))
            // A packed row lists its blocks' page frame numbers; a run's follow each other.
            let listed = sqlite3_column_type(statement, 5) == SQLITE_NULL ? nil
                : PackedBlocks.frames(String(cString: sqlite3_column_text(statement, 5)), count: count)
            for i in 0..<count {
                let address = listed.map { $0[i] * pageSize } ?? phys + UInt64(i) * (pageSize << order)
                let block = PreservedBlock(phys: address, order: order)
                switch action {
                case "add": blocks.insert(block)
                case "remove": blocks.remove(block)
                default: break
                }
            }
        }
        return blocks
    }

    /// `raw-read`: every blob of a `raw-blobs` database read back, in order,
    /// each handed to `body` straight from SQLite's buffer.
    static func readBlobs(path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let db = try open(path)
        defer { sqlite3_close(db) }
        let statement = try prepare(db, "SELECT bytes FROM blob ORDER BY id")
        defer { sqlite3_finalize(statement) }
        while sqlite3_step(statement) == SQLITE_ROW {
            let count = Int(sqlite3_column_bytes(statement, 0))
            guard let blob = sqlite3_column_blob(statement, 0) else { continue }
            try body(UnsafeRawBufferPointer(start: blob, count: count))
        }
    }

    /// `raw-except`: one frame list (index, pfn, content hash) as table
    /// `name` of the database at `path`; ``exceptCount(path:)`` compares two.
    static func framesTable(_ frames: [(index: Int, pfn: UInt64, hash: [UInt8])], name: String, path: String) throws {
        try insertAll(frames, path: path,
                      create: "CREATE TABLE \(name) (idx INTEGER NOT NULL, pfn INTEGER NOT NULL, hash BLOB NOT NULL)",
                      insert: "INSERT INTO \(name) VALUES (?, ?, ?)") { statement, frame in
            sqlite3_bind_int64(statement, 1, Int64(frame.index))
            sqlite3_bind_int64(statement, 2, Int64(bitPattern: frame.pfn))
            // SQLITE_TRANSIENT: SQLite copies the bytes, which live only in this closure.
            frame.hash.withUnsafeBytes {
                _ = sqlite3_bind_blob(statement, 3, $0.baseAddress, Int32($0.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
        }
    }

    /// Rows of one of two frame tables that the other lacks, both ways.
    static func exceptCount(path: String) throws -> Int {
        try count(path: path, sql: """
            SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT SELECT * FROM b))
                 + (SELECT count(*) FROM (SELECT * FROM b EXCEPT SELECT * FROM a))
            """)
    }

    /// The integer a query of one row and one column (a count) answers on
    /// the database at `path`.
    static func count(path: String, sql: String) throws -> Int {
        let db = try open(path)
        defer { sqlite3_close(db) }
        let statement = try prepare(db, sql)
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { throw Failure(description: String(cString: sqlite3_errmsg(db))) }
        return Int(sqlite3_column_int64(statement, 0))
    }

    /// `raw-point-lookup`: the seconds of each of one op row read by its
    /// primary key (`SELECT * FROM op WHERE seq = ?`), one statement
    /// prepared once on one open connection; each seq must exist.
    static func pointLookups(path: String, seqs: [Int64]) throws -> [Double] {
        let db = try open(path)
        defer { sqlite3_close(db) }
        let statement = try prepare(db, "SELECT * FROM op WHERE seq = ?")
        defer { sqlite3_finalize(statement) }
        return try seqs.map { seq in
            try BenchResult.time {
                sqlite3_reset(statement)
                sqlite3_bind_int64(statement, 1, seq)
                guard sqlite3_step(statement) == SQLITE_ROW, sqlite3_column_int64(statement, 0) == seq else {
                    throw Failure(description: "no op \(seq)")
                }
            }
        }
    }

    /// The first tracker change at or after `seq`: its seq and the page it
    /// starts at.
    static func trackerChange(path: String, atOrAfter seq: Int64) throws -> (seq: Int64, phys: UInt64) {
        let db = try open(path)
        defer { sqlite3_close(db) }
        let statement = try prepare(db, "SELECT seq, phys FROM op_change WHERE seq >= ? ORDER BY seq, part LIMIT 1")
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_int64(statement, 1, seq)
        guard sqlite3_step(statement) == SQLITE_ROW else { throw Failure(description: "no tracker change at or after seq \(seq)") }
        return (sqlite3_column_int64(statement, 0), UInt64(bitPattern: sqlite3_column_int64(statement, 1)))
    }

    /// Moves the WAL's content into the database file and truncates the WAL.
    static func checkpoint(_ path: String) throws {
        let db = try open(path)
        defer { sqlite3_close(db) }
        try exec(db, "PRAGMA wal_checkpoint(TRUNCATE)")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private static func open(_ path: String) throws -> OpaquePointer {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw Failure(description: "cannot open \(path)") }
        return db
    }

    private static func exec(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    private static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
        return statement
    }

    private static func step(_ db: OpaquePointer, _ statement: OpaquePointer) throws {
        guard sqlite3_step(statement) == SQLITE_DONE else { throw Failure(description: String(cString: sqlite3_errmsg(db))) }
        sqlite3_reset(statement)
    }
}
