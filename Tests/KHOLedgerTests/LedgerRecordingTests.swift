import Foundation
import GRDB
import KHOABI
import Testing
@testable import KHOLedger
@testable import KHOMachine

@Suite("Ledger recording")
struct LedgerRecordingTests {
    @Test func newLedgerHasTheSchemaAndViews() throws {
        let temp = try TemporaryLedger()
        let ledger = try Ledger(path: temp.path)
        let names = try ledger.database.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name") }
        for view in ["v_areas", "v_chunks", "v_frames", "v_generations", "v_ops", "v_preserved", "v_subtrees"] {
            #expect(names.contains(view))
        }
        #expect(try ledger.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try ledger.count("PRAGMA page_size") == Ledger.databasePageSize)
    }

    @Test func newerLedgerIsRefused() throws {
        let temp = try TemporaryLedger()
        do {
            // Released before the next opening: a ledger has one writer at a time, in this process too.
            let ledger = try Ledger(path: temp.path)
            try ledger.database.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_future')") }
        }
        #expect(throws: LedgerError.newerSchema(path: temp.path, unknown: ["9999_future"])) { try Ledger(path: temp.path) }
        #expect(throws: LedgerError.newerSchema(path: temp.path, unknown: ["9999_future"])) { try Ledger(readingAt: temp.path) }
    }

    /// A ledger of the first schema, made before ledgers carried their
    /// application_id: recognised by its schema, migrated and stamped when
    /// opened for writing.
    @Test func olderLedgerIsMigratedForward() throws {
        let temp = try TemporaryLedger()
        let older = try DatabaseQueue(path: temp.path)
        let migrator = try LedgerSchema.migrator()
        try migrator.migrate(older, upTo: try #require(migrator.migrations.first))
        try older.close()
        let later = Array(migrator.migrations.dropFirst())
        #expect(throws: LedgerError.olderSchema(path: temp.path, missing: later)) {
            try Ledger(readingAt: temp.path)
        }
        let ledger = try Ledger(path: temp.path)
        #expect(ledger.upgradedBy == later)
        #expect(try ledger.count("SELECT count(*) FROM grdb_migrations") == (try LedgerSchema.migrationFiles().count))
        #expect(try ledger.count("PRAGMA application_id") == Int(Ledger.applicationID))
    }

    /// A database failure keeps SQLite's error: its result code and message
    /// reach the caller, not only a line of text.
    @Test func aDatabaseFailureKeepsSQLitesError() throws {
        let temp = try TemporaryLedger()
        do {
            let (ledger, _) = try temp.record { m in _ = try m.allocPreserve(size: 16, name: "blob") }
            try ledger.database.write { try $0.execute(sql: "DROP TABLE op_change") }
        }
        let ledger = try Ledger(readingAt: temp.path)
        do {
            _ = try ChainVerifier(ledger: ledger).verify()
            Issue.record("the chain verified without op_change")
        } catch let error {
            guard case let .database(path, failure) = error else { Issue.record("\(error)"); return }
            #expect(path == temp.path)
            #expect(failure.databaseError?.resultCode == .SQLITE_ERROR)
            #expect(failure.databaseError?.message == "no such table: op_change")
        }
    }

    /// The upgrade is one transaction: a migration that fails (here 0005,
    /// whose table is already taken) leaves the ledger at its old schema,
    /// without the migrations before it that had succeeded.
    @Test func aFailedUpgradeLeavesTheOldSchema() throws {
        let temp = try TemporaryLedger()
        let older = try DatabaseQueue(path: temp.path)
        let migrator = try LedgerSchema.migrator()
        try migrator.migrate(older, upTo: try #require(migrator.migrations.first))
        try older.write { try $0.execute(sql: "CREATE TABLE boot_memory (taken INTEGER)") }
        try older.close()
        #expect(throws: LedgerError.self) { try Ledger(path: temp.path) }
        let after = try DatabaseQueue(path: temp.path)
        let (identifiers, columns) = try after.read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"), try db.columns(in: "preserved_run").map(\.name))
        }
        #expect(identifiers == [migrator.migrations[0]])
        #expect(!columns.contains("fork"), "0002 adds preserved_run.fork: not there")
    }

    /// Every preserve_vmalloc stores the chunk pages exactly as they are in
    /// emulated memory, and v_frames lists exactly the area's frames in order.
    @Test(arguments: [4096, 16384, 65536])
    func vmallocLayoutIsRecordedExactly(pageSize: Int) throws {
        let temp = try TemporaryLedger()
        let k = (pageSize - 8) / 8
        let (ledger, machine) = try temp.record(pageSize: pageSize, memory: pageSize == 65536 ? 2 << 30 : 128 << 20) { m in
            for (name, pages) in [("one", 1), ("full", k), ("three", 2 * k + 5)] {
                try m.vmalloc(name: name, size: UInt64(pages * pageSize))
                try m.write(area: name, offset: 0, bytes: Array(repeating: 0x5A, count: 64))
                let blob = try m.allocPreserve(size: 16, name: "\(name)-desc")
                try m.preserveVmalloc(area: name, descriptorPhys: blob)
                try m.addSubtree(name: name, phys: blob, size: 16)
            }
        }
        for (name, area) in machine.areas {
            let chunks = try ledger.database.read {
                try Row.fetchAll($0, sql: "SELECT phys, bytes FROM v_chunks WHERE area = ? ORDER BY idx", arguments: [name])
            }
            #expect(chunks.count == area.blocks.count / k + 1)
            for chunk in chunks {
                let phys = try #require(UInt64((chunk["phys"] as String).dropFirst(2), radix: 16))
                #expect((chunk["bytes"] as Data) == Data(machine.memory.page(phys)), "\(name) chunk \(hex(phys))")
            }
            let frames = try ledger.database.read {
                try String.fetchAll($0, sql: "SELECT phys FROM v_frames WHERE owner = ? ORDER BY index_in_owner", arguments: [name])
            }
            #expect(frames == area.blocks.map { hex($0) })
        }
        #expect(try ledger.count("SELECT count(*) FROM v_frames") > 0)
        #expect(try ChainVerifier(ledger: ledger).verify().isIntact)
    }

    @Test func preservedIntervalsAnswerAsOfQueries() throws {
        let temp = try TemporaryLedger()
        var folio: UInt64 = 0
        let (ledger, _) = try temp.record { m in
            folio = try m.allocPages(order: 2)       // seq a
            try m.preserveFolio(folio, order: 2)     // a + 1
            try m.unpreserveFolio(folio, order: 2)   // a + 2
            try m.preserveFolio(folio, order: 2)     // a + 3
            try m.kexec()                            // a + 4, then the boot
        }
        // The cold boot's own operations (boot, kexec-metadata) come first.
        let a = try ledger.count("SELECT seq FROM op WHERE kind = 'alloc_pages'")
        func preserved(at seq: Int) throws -> Int {
            try ledger.count("SELECT count(*) FROM v_preserved WHERE phys = ? AND \"order\" = 2 AND from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)",
                             [hex(folio), seq, seq])
        }
        #expect(try (a...a + 5).map(preserved) == [0, 1, 0, 1, 1, 0])
        #expect(try ledger.count("SELECT count(*) FROM v_generations") == 2)
        #expect(try ledger.count("SELECT kexec_seq FROM generation WHERE generation = 0") == a + 4)
    }

    @Test func restoredAreaEndsWhenFreed() throws {
        let temp = try TemporaryLedger()
        let (ledger, _) = try temp.record { m in
            try m.vmalloc(name: "a", size: 4096 * 3)
            let blob = try m.allocPreserve(size: 16)
            try m.preserveVmalloc(area: "a", descriptorPhys: blob)
            try m.kexec()
            try m.restoreVmalloc(descriptorPhys: blob, name: "a")
            try m.vfree(name: "a")
        }
        let vfree = try ledger.count("SELECT seq FROM op WHERE kind = 'vfree'")
        #expect(try ledger.count("SELECT to_seq FROM object WHERE kind = 'restored_vmalloc'") == vfree)
    }

    @Test func contentIsDeduplicatedAndZeroPagesCostNothing() throws {
        let temp = try TemporaryLedger()
        let (ledger, _) = try temp.record { m in
            try m.vmalloc(name: "a", size: 4096 * 8)
            var page = [UInt8](repeating: 7, count: 4096)
            for i in 0..<4 { try m.write(area: "a", offset: i * 4096, bytes: page) }  // 4 identical pages
            page[0] = 8
            try m.write(area: "a", offset: 4 * 4096, bytes: page)                    // 1 different page
        }
        let stored = try ledger.count("SELECT count(*) FROM page_data WHERE length(bytes) = 4096")
        // Two distinct area pages; the boot's: the root FDT page before and
        // after the kexec-metadata subtree, and the kexec-metadata page.
        #expect(stored == 2 + 3)
        #expect(try ledger.count("SELECT count(*) FROM page_content") == 5 + 3)
    }
}
