import Crypto
import Foundation
import GRDB
import KHOABI
import KHOMachine

/// Records the events of one emulated machine (from its cold boot on) into
/// a ledger.
///
/// Each event becomes one `op` row plus its derived rows; events are written
/// in batches, one transaction per batch, so an interrupted run leaves a
/// prefix of whole operations. Call ``flush()`` at the end.
///
/// The next seq, the last hash and the next generation are read once, when
/// the recorder is made: the ledger, opened for writing, holds its writer
/// lock (``Ledger/init(path:wait:)``), so no other writer can move them
/// while this one records, and a run's operations are one contiguous range
/// of seqs.
public final class LedgerRecorder {
    public let ledger: Ledger
    public let config: MachineConfig
    let geometry: PageGeometry
    /// How the generations were made: `simulate`, `import`, `record`.
    public let source: String
    public let label: String?
    /// Operations per transaction.
    public let batchSize: Int
    /// Bytes of page data per transaction, at most about.
    public let batchBytes: Int
    /// Whether generations store the machine configuration (which
    /// `replay --verify` re-runs); false for generations no emulated
    /// machine made, such as imported captures.
    public let storesMachine: Bool

    private var pending: [MachineEvent] = []
    private var pendingBytes = 0
    private var nextSeq: Int64 = 1
    private var lastHash = HashChain.genesis
    private var nextGeneration: Int64 = 0
    private var lineage: Int64?
    private var generation: Int64?
    private var runs: PreservedRuns
    private var content: [UInt64: Data] = [:]
    /// A zero page, to compare pages against.
    private let zeroPage: [UInt8]
    private var openObjects: [ObjectKey: Int64] = [:]
    private var openSubtrees: [(phys: UInt64, id: Int64)] = []
    /// The `page_content` intervals the op being written ended.
    private var endedContents: [ContentEnd] = []
    private var handedOver: PreservedBlockSet
    /// The largest block order memory can hold a block of (the first whose
    /// size passes the memory size, at most the order of a whole address).
    private let largestOrder: Int
    private var handedOverFDT: [UInt8]?
    /// page_data ids of the hashes this recorder stored or looked up.
    private var dataIDs: [Data: Int64] = [:]
    /// The transaction of ``atomically(_:)`` while it runs: batches are
    /// written into it instead of committing their own.
    private var openTransaction: Database?
    /// Operations written so far.
    public private(set) var recorded = 0
    /// The ledger generation of the last operation written (nil before the first).
    public var lastGeneration: Int64? { generation }
    /// The first ledger generation this recorder started (nil before its first boot).
    public private(set) var firstGeneration: Int64?
    /// The seq of the last operation written (0 before the first).
    public var lastSeq: Int64 { nextSeq - 1 }
    /// The first error recording met; later events are dropped, so the
    /// ledger holds a prefix of the run.
    public private(set) var failure: LedgerError?

    /// What one tracker change, extent or zero-filled block of a queued
    /// event counts for in ``batchBytes``, about what it occupies: a file's
    /// hundreds of thousands of folios fill a batch as their bytes would.
    static let layoutEntryBytes = 32

    /// A closure for `KHOMachine.onEvent` / `ScenarioRunner(onEvent:)`:
    /// records each event, and after the first failure drops the rest.
    public var eventSink: (MachineEvent) -> Void {
        { [self] event in
            guard failure == nil else { return }
            do throws(LedgerError) { try record(event) } catch { failure = error }
        }
    }

    private enum ObjectKey: Hashable {
        case vmalloc(descriptor: UInt64)
        case folio(phys: UInt64)
        case pages(phys: UInt64, count: UInt64)
        /// A file's folios preserved by one call (``MachineEvent/Kind/preserveFolios``), by set name.
        case folioSet(name: String)
        /// An area a restore rebuilt, until it is freed.
        case restoredArea(name: String)
    }

    public init(ledger: Ledger, config: MachineConfig, source: String = "simulate", label: String? = nil,
                batchSize: Int = 256, batchBytes: Int = 64 << 20, storesMachine: Bool = true) throws(LedgerError) {
        self.ledger = ledger
        self.config = config
        do {
            geometry = try config.geometry()
        } catch {
            throw .inconsistent("machine configuration: \(error)")
        }
        self.source = source
        self.label = label
        self.batchSize = batchSize
        self.batchBytes = batchBytes
        self.storesMachine = storesMachine
        runs = PreservedRuns(geometry: geometry)
        handedOver = PreservedBlockSet(geometry: geometry)
        largestOrder = (0..<geometry.order0Log2).first { [geometry, config] in geometry.bytes(order: $0) > config.memorySize } ?? geometry.order0Log2
        zeroPage = [UInt8](repeating: 0, count: geometry.pageSize)
        try ledger.reading { db in
            if let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM op ORDER BY seq DESC LIMIT 1") {
                let op = LedgerRow(row, table: "op", key: "seq")
                nextSeq = try op.integer("seq", in: 0 ... .max - 1, expected: "a seq below 2^63 - 1") + 1
                lastHash = try op.blob("hash")
            }
            nextGeneration = try Int64.fetchOne(db, sql: "SELECT coalesce(max(generation) + 1, 0) FROM generation") ?? 0
        }
    }

    /// Queues an event; writes a batch when it is full.
    public func record(_ event: MachineEvent) throws(LedgerError) {
        pending.append(event)
        pendingBytes += (event.pages.count + event.chunks.count) * geometry.pageSize
            + (event.tracker.count + event.extents.count + event.zeroed.count + event.restored.count) * Self.layoutEntryBytes
        if pending.count >= batchSize || pendingBytes >= batchBytes { try flush() }
    }

    /// Writes every queued event in one transaction (inside
    /// ``atomically(_:)``: into its transaction, without committing).
    public func flush() throws(LedgerError) {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        pendingBytes = 0
        do {
            if let db = openTransaction {
                for event in batch { try write(event, db: db) }
            } else {
                try ledger.database.inTransaction { db in
                    for event in batch { try write(event, db: db) }
                    return .commit
                }
            }
        } catch {
            throw .writing(ledger.path, error)
        }
        recorded += batch.count
    }

    /// Runs `body` and commits everything it records in ONE transaction:
    /// batches are still written as they fill, so memory stays bounded, but
    /// they become visible only when `body` returns. When `body` (or the
    /// recording) throws, the ledger is left exactly as it was and this
    /// recorder must not be used again. `body` must not open the ledger's
    /// database itself.
    public func atomically(_ body: () throws -> Void) throws {
        precondition(openTransaction == nil, "atomically(_:) does not nest")
        try ledger.database.inTransaction { db in
            openTransaction = db
            defer { openTransaction = nil }
            try body()
            try flush()
            return .commit
        }
    }

    // MARK: one event

    private func write(_ event: MachineEvent, db: Database) throws {
        let seq = nextSeq
        let started = event.kind == .boot ? try startGeneration(event, seq: seq, db: db) : nil
        guard let generation, let lineage else {
            throw LedgerError.inconsistent("event \(event.kind.rawValue) before the machine's boot")
        }
        var rows = OpRows(op: OpRow(seq: seq, generation: generation, time: event.time.map(LedgerTime.format) ?? LedgerTime.now(), kind: event.kind.rawValue,
                                    subject: event.subject, args: event.argumentsJSON, result: event.resultText,
                                    errno: event.outcome.errnoValue, detail: event.detail))
        rows.generation = started
        rows.changes = changeRows(event)
        if event.outcome == .ok { rows.objects = objectRows(event) }
        endedContents = []
        if event.kind == .boot, !handedOver.isEmpty || handedOverFDT != nil { try scrub(seq: seq, lineage: lineage, db: db) }
        rows.contents = try contentRows(event, seq: seq, lineage: lineage, db: db)
        rows.ends.contents = endedContents
        if event.outcome == .ok { rows.subtrees = subtreeRows(event) }
        if event.outcome == .ok { rows.bootMemory = bootMemoryRows(event) }
        if event.outcome == .ok { try closeObjects(event, seq: seq, ends: &rows.ends, db: db) }
        if event.kind == .kexec {
            rows.handover = HandoverRow(kexecSeq: seq, rootFDT: event.fdt.map { Data($0) })
            try closeHandover(seq: seq, generation: generation, ends: &rows.ends, db: db)
        }

        let hash = HashChain.hash(rows, previous: lastHash)
        try insert(rows, previous: lastHash, hash: hash, lineage: lineage, db: db)
        lastHash = hash
        nextSeq += 1

        for change in event.tracker { runs.apply(change.block, added: change.added, seq: seq) }
        try runs.finishOp(seq: seq, generation: generation, db: db)
        if let handover = rows.handover { try endGeneration(handover, event: event, generation: generation, db: db) }
    }

    private func startGeneration(_ event: MachineEvent, seq: Int64, db: Database) throws -> GenerationRow {
        let parent = event.generation == 0 ? nil : generation
        let id = nextGeneration
        nextGeneration += 1
        firstGeneration = firstGeneration ?? id
        if event.generation == 0 {
            lineage = id
            content = [:]
            handedOver = PreservedBlockSet(geometry: geometry)
            handedOverFDT = nil
        }
        guard let lineage else { throw LedgerError.inconsistent("boot \(event.generation) of a machine whose cold boot was not recorded") }
        let row = GenerationRow(generation: id, parent: parent, lineage: lineage, bootNumber: Int64(event.generation),
                                abi: config.abi.compatible, pageSize: Int64(geometry.pageSize),
                                memoryBase: Int64(bitPattern: config.memoryBase), memorySize: Int64(bitPattern: config.memorySize),
                                bootSeq: seq, trackerRoot: event.integerArgument("tracker").map { Int64(bitPattern: $0) },
                                fdtPhys: event.integerArgument("fdt").map { Int64(bitPattern: $0) }, source: source, label: label,
                                machine: machineJSON, kernel: storesMachine ? config.kernel?.rawValue : nil,
                                previousRelease: event.argument("previous_release")?.description,
                                kexecCount: event.integerArgument("kexec_count").map { Int64(bitPattern: $0) })
        try db.execute(sql: """
            INSERT INTO generation (\(GenerationRow.columns.joined(separator: ", ")))
            VALUES (\(GenerationRow.columns.map { _ in "?" }.joined(separator: ", ")))
            """, arguments: [row.generation, row.parent, row.lineage, row.bootNumber, row.abi, row.pageSize, row.memoryBase,
                             row.memorySize, row.bootSeq, row.trackerRoot, row.fdtPhys, row.source, row.label, row.machine,
                             row.kernel, row.previousRelease, row.kexecCount])
        generation = id
        return row
    }

    /// The machine configuration as JSON, stored with every generation so a
    /// replay can rebuild the same machine.
    private var machineJSON: String? {
        guard storesMachine else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(config)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A kexec ends its generation's open objects and subtrees, at the seq after it.
    private func closeHandover(seq: Int64, generation: Int64, ends: inout IntervalEnds, db: Database) throws {
        // Open rows fork at the root: the fork indexes find them.
        let open: StatementArguments = [seq + 1, generation, IntervalFork.root]
        ends.objects += try ObjectEnd.returned(by: db.makeStatement(sql: """
            UPDATE object SET to_seq = ? WHERE generation = ? AND fork = ? AND to_seq IS NULL RETURNING id, from_seq, kind, name
            """), open)
        ends.subtrees += try SubtreeEnd.returned(by: db.makeStatement(sql: """
            UPDATE subtree SET to_seq = ? WHERE generation = ? AND fork = ? AND to_seq IS NULL RETURNING id, from_seq, direction, name
            """), open)
    }

    private func endGeneration(_ handover: HandoverRow, event: MachineEvent, generation: Int64, db: Database) throws {
        try db.execute(sql: "UPDATE generation SET kexec_seq = ?, root_fdt = ? WHERE generation = ?",
                       arguments: [handover.kexecSeq, handover.rootFDT, generation])
        try db.execute(sql: "UPDATE preserved_run SET to_seq = ? WHERE generation = ? AND fork = ? AND to_seq IS NULL",
                       arguments: [handover.kexecSeq + 1, generation, IntervalFork.root])
        handedOver = runs.blocks
        handedOverFDT = event.fdt
        runs.reset()
        openObjects = [:]
        openSubtrees = []
    }

    // MARK: derived rows

    /// The op's tracker changes in call order, one row per run of one
    /// action, with single blocks packed (``PackedBlocks``).
    private func changeRows(_ event: MachineEvent) -> [ChangeRow] {
        var rows: [ChangeRow] = []
        var action = ""
        var blocks: [PreservedBlock] = []
        func flush() {
            for entry in PackedBlocks.entries(BlockRun.runs(of: blocks, geometry: geometry), geometry: geometry) {
                rows.append(ChangeRow(part: Int64(rows.count), action: action, run: entry.run, blocks: entry.blocks))
            }
            blocks = []
        }
        let steps = event.tracker.map { ($0.added ? "add" : "remove", $0.block) } + event.restored.map { ("restore", $0) }
        for (stepAction, block) in steps {
            if stepAction != action { flush(); action = stepAction }
            blocks.append(block)
        }
        flush()
        return rows
    }

    private func objectRows(_ event: MachineEvent) -> [ObjectRows] {
        let kind: String
        switch event.kind {
        case .preserveVmalloc: kind = "vmalloc"
        case .preserveFolio: kind = "folio"
        case .preserveFolios: kind = "folios"
        case .preservePages: kind = "pages"
        case .allocPreserve: kind = "blob"
        case .restoreVmalloc: kind = "restored_vmalloc"
        case .restoreFolio: kind = "restored_folio"
        case .restorePages: kind = "restored_pages"
        default: return []
        }
        let first = event.extents.first?.phys ?? 0
        var object = ObjectRows(kind: kind, name: event.subject ?? "\(kind)@\(hex(first))")
        if let (phys, descriptor) = event.descriptor {
            object.descriptorPhys = Int64(bitPattern: phys)
            object.firstChunk = Int64(bitPattern: descriptor.first)
            object.totalPages = Int64(descriptor.totalPages)
            object.flags = Int64(descriptor.flags.rawValue)
            object.ord = Int64(descriptor.order)
        } else {
            object.totalPages = event.extents.reduce(0) { $0 + Int64($1.count) << Int64($1.order) }
        }
        var index: Int64 = 0
        for entry in PackedBlocks.entries(event.extents, geometry: geometry) {
            object.extents.append(ExtentRow(firstIndex: index, run: entry.run, blocks: entry.blocks))
            index += Int64(entry.run.count)
        }
        object.chunks = event.chunks.map { chunk in
            let entries = (0..<geometry.vmallocChunkEntries).first { chunk.bytes.loadLittleEndian(UInt64.self, at: 8 + 8 * $0) == 0 }
                ?? geometry.vmallocChunkEntries
            return ChunkRow(idx: Int64(chunk.index), phys: Int64(bitPattern: chunk.phys),
                            next: Int64(bitPattern: chunk.bytes.loadLittleEndian(UInt64.self, at: 0)),
                            entries: Int64(entries), bytes: Data(chunk.bytes))
        }
        return [object]
    }

    /// Content changes: zero-filled allocations first, then the pages and
    /// chunk pages the call wrote (the last write of a page wins); only pages
    /// whose content differs from the recorded one produce rows (zero pages
    /// produce none).
    private func contentRows(_ event: MachineEvent, seq: Int64, lineage: Int64, db: Database) throws -> [ContentRow] {
        if event.chunks.isEmpty, event.pages.isEmpty {
            // Only zero-filled blocks: they end the recorded contents they cover, and add none.
            guard !content.isEmpty else { return [] }
            var ended: [UInt64] = []
            for block in event.zeroed {
                for i in 0..<(UInt64(1) << UInt64(block.order)) where content[block.phys + i * UInt64(geometry.pageSize)] != nil {
                    ended.append(block.phys + i * UInt64(geometry.pageSize))
                }
            }
            for phys in ended.sorted() {
                try closeContent(phys, seq: seq, lineage: lineage, db: db)
                content[phys] = nil
            }
            return []
        }
        // (page, write order, bytes; nil = zero-filled), sorted so that each
        // page's last write comes last among its writes.
        var writes: [(phys: UInt64, order: Int, bytes: [UInt8]?)] = []
        let ps = UInt64(geometry.pageSize)
        for block in event.zeroed {
            for i in 0..<(UInt64(1) << UInt64(block.order)) { writes.append((block.phys + i * ps, writes.count, nil)) }
        }
        for chunk in event.chunks { writes.append((chunk.phys, writes.count, chunk.bytes)) }
        for page in event.pages { writes.append((page.phys, writes.count, page.bytes)) }
        writes.sort { ($0.phys, $0.order) < ($1.phys, $1.order) }

        var rows: [ContentRow] = []
        for (position, write) in writes.enumerated() where position + 1 == writes.count || writes[position + 1].phys != write.phys {
            let hash = write.bytes.flatMap(pageHash)
            guard content[write.phys] != hash else { continue }
            if content[write.phys] != nil { try closeContent(write.phys, seq: seq, lineage: lineage, db: db) }
            content[write.phys] = hash
            if let hash, let bytes = write.bytes {
                if dataIDs[hash] == nil { dataIDs[hash] = try storeData(hash, bytes, db: db) }
                rows.append(ContentRow(phys: Int64(bitPattern: write.phys), hash: hash))
            }
        }
        return rows
    }

    /// The page_data id of `hash`, storing `bytes` when the ledger lacks it.
    private func storeData(_ hash: Data, _ bytes: [UInt8], db: Database) throws -> Int64 {
        let insert = try db.cachedStatement(sql: "INSERT INTO page_data (hash, bytes) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING")
        try hash.withUnsafeBytes { hash in try bytes.withUnsafeBytes { try insert.execute(blobs: hash, $0) } }
        if db.changesCount > 0 { return db.lastInsertedRowID }
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM page_data WHERE hash = ?"), arguments: [hash]) else {
            throw LedgerError.inconsistent("page data \(hexDigits(hash)) vanished")
        }
        return id
    }

    /// At a KHO boot, every page outside the handed-over blocks was scrubbed.
    private func scrub(seq: Int64, lineage: Int64, db: Database) throws {
        for phys in content.keys.sorted() where !isHandedOver(phys) {
            try closeContent(phys, seq: seq, lineage: lineage, db: db)
            content[phys] = nil
        }
        handedOver = PreservedBlockSet(geometry: geometry)
    }

    private func isHandedOver(_ phys: UInt64) -> Bool {
        handedOver.covers(phys, maxOrder: largestOrder)
    }

    private func closeContent(_ phys: UInt64, seq: Int64, lineage: Int64, db: Database) throws {
        try db.cachedStatement(sql: "UPDATE page_content SET to_seq = ? WHERE lineage = ? AND phys = ? AND to_seq IS NULL")
            .execute(integers: seq, lineage, Int64(bitPattern: phys))
        endedContents.append(ContentEnd(lineage: lineage, phys: Int64(bitPattern: phys)))
    }

    /// SHA-256 of a page, nil for a zero page.
    private func pageHash(_ bytes: [UInt8]) -> Data? {
        let zero = bytes.withUnsafeBytes { page in
            zeroPage.withUnsafeBytes { zero in
                page.isEmpty || (page.count <= zero.count && memcmp(page.baseAddress!, zero.baseAddress!, page.count) == 0)
            }
        }
        return zero ? nil : Data(SHA256.hash(data: bytes))
    }

    /// The boot memory a kexec hands over, one row per range.
    private func bootMemoryRows(_ event: MachineEvent) -> [BootMemoryRow] {
        guard let memory = event.bootMemory else { return [] }
        return memory.ranges.enumerated().map { index, range in
            BootMemoryRow(name: memory.name, idx: Int64(index), phys: Int64(bitPattern: range.address), size: Int64(bitPattern: range.size))
        }
    }

    private func subtreeRows(_ event: MachineEvent) -> [SubtreeRow] {
        switch event.kind {
        case .addSubtree:
            guard let name = event.subject, let phys = event.integerArgument("phys") else { return [] }
            return [SubtreeRow(direction: "out", name: name, phys: Int64(bitPattern: phys),
                               size: config.abi.hasBlobSize ? event.integerArgument("size").map { Int64($0) } : nil,
                               blob: event.blob.map { Data($0) })]
        case .boot:
            guard let bytes = handedOverFDT, let fdt = try? KHORootFDT(bytes: bytes) else { return [] }
            return fdt.subtrees.map {
                SubtreeRow(direction: "in", name: $0.name, phys: Int64(bitPattern: $0.phys), size: $0.size.map { Int64($0) }, blob: nil)
            }
        default:
            return []
        }
    }

    // MARK: writing rows

    private func insert(_ rows: OpRows, previous: Data, hash: Data, lineage: Int64, db: Database) throws {
        let op = rows.op
        try db.cachedStatement(sql: """
            INSERT INTO op (seq, generation, time, kind, subject, args, result, errno, detail, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [op.seq, op.generation, op.time, op.kind, op.subject, op.args, op.result,
                                     op.errno, op.detail, previous, hash])
        for c in rows.changes {
            // The action is one of three fixed words, so it goes into the SQL
            // text and every other value binds as an integer.
            try db.cachedStatement(sql: "INSERT INTO op_change (seq, part, action, phys, ord, count, blocks) VALUES (?, ?, '\(c.action)', ?, ?, ?, ?)")
                .execute(integers: op.seq, c.part, Int64(bitPattern: c.run.phys), Int64(c.run.order), Int64(c.run.count), text: c.blocks)
        }
        for object in rows.objects {
            try db.cachedStatement(sql: """
                INSERT INTO object (generation, kind, name, from_seq, descriptor_phys, first_chunk, total_pages, flags, ord)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [op.generation, object.kind, object.name, op.seq, object.descriptorPhys,
                                         object.firstChunk, object.totalPages, object.flags, object.ord])
            let id = db.lastInsertedRowID
            let extent = try db.cachedStatement(sql: "INSERT INTO object_extent (object_id, first_index, phys, ord, count, blocks) VALUES (?, ?, ?, ?, ?, ?)")
            for e in object.extents {
                try extent.execute(integers: id, e.firstIndex, Int64(bitPattern: e.run.phys), Int64(e.run.order), Int64(e.run.count), text: e.blocks)
            }
            let chunk = try db.cachedStatement(sql: "INSERT INTO chunk (object_id, idx, phys, next, entries, bytes) VALUES (?, ?, ?, ?, ?, ?)")
            for c in object.chunks { try chunk.execute(arguments: [id, c.idx, c.phys, c.next, c.entries, c.bytes]) }
            if let key = objectKey(object) { openObjects[key] = id }
        }
        let content = try db.cachedStatement(sql: "INSERT INTO page_content (lineage, phys, from_seq, data_id) VALUES (?, ?, ?, ?)")
        for c in rows.contents { try content.execute(integers: lineage, c.phys, op.seq, dataIDs[c.hash]) }
        for s in rows.subtrees {
            try db.cachedStatement(sql: """
                INSERT INTO subtree (generation, direction, name, phys, size, blob, from_seq) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [op.generation, s.direction, s.name, s.phys, s.size, s.blob, op.seq])
            if s.direction == "out" { openSubtrees.append((UInt64(bitPattern: s.phys), db.lastInsertedRowID)) }
        }
        for range in rows.bootMemory {
            try db.cachedStatement(sql: "INSERT INTO boot_memory (seq, generation, name, idx, phys, size) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [op.seq, op.generation, range.name, range.idx, range.phys, range.size])
        }
    }

    private func objectKey(_ object: ObjectRows) -> ObjectKey? {
        switch object.kind {
        case "vmalloc": return object.descriptorPhys.map { .vmalloc(descriptor: UInt64(bitPattern: $0)) }
        case "folio", "blob": return object.extents.first.map { .folio(phys: $0.run.phys) }
        case "folios": return .folioSet(name: object.name)
        case "pages":
            guard let first = object.extents.first, let pages = object.totalPages else { return nil }
            return .pages(phys: first.run.phys, count: UInt64(pages))
        case "restored_vmalloc": return .restoredArea(name: object.name)
        default: return nil
        }
    }

    /// Ends the object or subtree an unpreserve, `vfree` or `remove_subtree` ends.
    private func closeObjects(_ event: MachineEvent, seq: Int64, ends: inout IntervalEnds, db: Database) throws {
        let key: ObjectKey?
        switch event.kind {
        case .unpreserveVmalloc: key = event.integerArgument("descriptor").map { .vmalloc(descriptor: $0) }
        case .unpreserveFolio, .unpreserveFree: key = event.integerArgument("phys").map { .folio(phys: $0) }
        case .unpreserveFolios: key = event.subject.map { .folioSet(name: $0) }
        case .vfree: key = event.subject.map { .restoredArea(name: $0) }
        case .unpreservePages:
            guard let phys = event.integerArgument("phys"), let count = event.integerArgument("nr_pages") else { return }
            key = .pages(phys: phys, count: count)
        case .removeSubtree:
            guard let phys = event.integerArgument("phys"), event.argument("warning") == nil,
                  let index = openSubtrees.firstIndex(where: { $0.phys == phys }) else { return }
            ends.subtrees += try SubtreeEnd.returned(by: db.cachedStatement(sql: "UPDATE subtree SET to_seq = ? WHERE id = ? RETURNING id, from_seq, direction, name"),
                                                     [seq, openSubtrees[index].id])
            openSubtrees.remove(at: index)
            return
        default:
            return
        }
        guard let key, let id = openObjects.removeValue(forKey: key) else { return }
        ends.objects += try ObjectEnd.returned(by: db.cachedStatement(sql: "UPDATE object SET to_seq = ? WHERE id = ? RETURNING id, from_seq, kind, name"),
                                               [seq, id])
    }
}

extension MachineEvent.Outcome {
    /// The positive errno of a failed call, else nil.
    var errnoValue: Int64? {
        if case .errno(let errno) = self { return Int64(errno.rawValue) }
        return nil
    }
}
