import GRDB
import KHOABI

/// A block of the tracker that held a page as of a point.
public struct CoveringBlock: Equatable, Sendable {
    public var block: PreservedBlock
    /// The operation that preserved it.
    public var fromSeq: Int64
}

/// A `page_content` interval of one page: its stored bytes (not yet
/// checked against their hash) over `[fromSeq, untilSeq)`, with the
/// operation that wrote them and the one that made the page zero.
public struct PageContentRecord: Sendable {
    public let fromSeq: Int64
    /// Nil: still the content at the ledger's end.
    public let untilSeq: Int64?
    public let stored: StoredPage
    /// The write at `fromSeq` (``PageOperation/Action/write``, with the
    /// stored hash).
    public let write: PageOperation
    /// The operation at `untilSeq` when no other interval starts there
    /// (``PageOperation/Action/clear``): the page became zero.
    public let clear: PageOperation?
}

/// What a ledger records about one physical page of one machine (a
/// lineage): the tracker blocks covering it, the tracker changes over it,
/// and its content over time. Every lookup is by the page's address
/// through an index (``CoveringRuns`` for the run-length tables, the
/// primary key of `page_content`): the cost grows with what the page went
/// through, not with the ledger. So they do not read the block views
/// (`op_change_block`, `preserved_run_block`): a condition on a block's
/// address cannot reach an index through them, and SQLite would expand
/// every row to compare it. A run gives the one block covering the page by
/// arithmetic, a packed row by the list entry naming it.
public enum PageRecords {
    /// The tracker blocks of `:generation` covering `:page` at `:seq`: runs
    /// through ``CoveringRuns``, packed rows (``PackedBlocks``) of the
    /// generation's history up to `:seq` by reading their lists.
    static let preservedQuery = """
        WITH RECURSIVE \(CoveringRuns.near("preserved_run", as: "run"))
        SELECT r.id, r.phys + (:page - r.phys) / (:page_size << r.ord) * (:page_size << r.ord) AS block, r.ord, r.from_seq FROM run r
        WHERE r.generation = :generation AND r.from_seq <= :seq AND (r.to_seq IS NULL OR r.to_seq > :seq)
          AND r.blocks IS NULL AND \(CoveringRuns.covers("r", pageSize: ":page_size"))
        UNION ALL
        SELECT r.id, j.value * :page_size, r.ord, r.from_seq
        FROM preserved_run r INDEXED BY preserved_run_packed JOIN json_each(r.blocks) j
        WHERE r.blocks IS NOT NULL AND r.generation = :generation AND r.from_seq <= :seq AND (r.to_seq IS NULL OR r.to_seq > :seq)
          AND instr(r.blocks, (:page / :page_size) >> r.ord << r.ord) > 0 AND j.value = (:page / :page_size) >> r.ord << r.ord
        ORDER BY 4, 2
        """

    /// The tracker changes of `:lineage` covering `:page`, each with its
    /// covering block: runs through ``CoveringRuns``, packed rows
    /// (``PackedBlocks``) by reading their lists.
    static let trackerQuery = """
        WITH RECURSIVE \(CoveringRuns.near("op_change", as: "change"))
        SELECT c.seq, c.part, c.action, c.ord, c.phys + (:page - c.phys) / (g.page_size << c.ord) * (g.page_size << c.ord) AS block,
               o.generation, o.time, o.kind, o.subject
        FROM change c JOIN op o ON o.seq = c.seq JOIN generation g ON g.generation = o.generation
        WHERE g.lineage = :lineage AND c.blocks IS NULL AND \(CoveringRuns.covers("c", pageSize: "g.page_size"))
        UNION ALL
        SELECT c.seq, c.part, c.action, c.ord, j.value * g.page_size AS block, o.generation, o.time, o.kind, o.subject
        FROM op_change c INDEXED BY op_change_packed CROSS JOIN op o ON o.seq = c.seq
        JOIN generation g ON g.generation = o.generation JOIN json_each(c.blocks) j
        WHERE c.blocks IS NOT NULL AND g.lineage = :lineage
          AND instr(c.blocks, (:page / g.page_size) >> c.ord << c.ord) > 0 AND j.value = (:page / g.page_size) >> c.ord << c.ord
        ORDER BY 1, 2
        """

    /// The content intervals of `:page` of `:lineage` with their stored
    /// bytes and the operations at their ends.
    static let contentQuery = """
        SELECT c.lineage, c.phys, c.from_seq, c.to_seq, d.id, d.hash, d.bytes, f.seq, f.generation, f.time, f.kind, f.subject,
               u.generation AS until_generation, u.time AS until_time, u.kind AS until_kind, u.subject AS until_subject
        FROM page_content c JOIN page_data d ON d.id = c.data_id JOIN op f ON f.seq = c.from_seq LEFT JOIN op u ON u.seq = c.to_seq
        WHERE c.lineage = :lineage AND c.phys = :page
        ORDER BY c.from_seq
        """

    /// The tracker blocks of `generation` (pages of `geometry`) covering
    /// the page at `page` right after `seq`.
    public static func preservedBlocks(_ snapshot: LedgerSnapshot, page: UInt64, generation: Int64, seq: Int64,
                                       geometry: PageGeometry) throws -> [CoveringBlock] {
        let arguments: StatementArguments = ["page": Int64(bitPattern: page), "page_size": geometry.pageSize,
                                             "generation": generation, "seq": seq]
        return try Row.fetchAll(snapshot.db.cachedStatement(sql: preservedQuery), arguments: arguments).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "preserved_run")
            let order = try row.order("ord", geometry: geometry)
            return CoveringBlock(block: PreservedBlock(phys: try row.address("block"), order: order), fromSeq: try row.integer("from_seq"))
        }
    }

    /// Every tracker change of `lineage` covering the page at `page`:
    /// `op_change` rows, each with the one block of its run that covers the
    /// page (orders of `geometry`), in seq and part order.
    public static func trackerOperations(_ snapshot: LedgerSnapshot, page: UInt64, lineage: Int64,
                                         geometry: PageGeometry) throws -> [PageOperation] {
        let arguments: StatementArguments = ["page": Int64(bitPattern: page), "lineage": lineage]
        return try Row.fetchAll(snapshot.db.cachedStatement(sql: trackerQuery), arguments: arguments).map { columns throws(CorruptRow) in
            let change = LedgerRow(columns, table: "op_change", key: "seq, part")
            let action: PageOperation.Action = switch try change.text("action") {
            case "add": .preserve
            case "remove": .unpreserve
            case "restore": .restore
            default: throw change.corrupt("action", expected: "add, remove or restore")
            }
            let order = try change.order("ord", geometry: geometry)
            var operation = try PageOperation(LedgerRow(columns, table: "op", key: "seq"), seq: change.integer("seq"), action: action)
            operation.block = PreservedBlock(phys: try change.address("block"), order: order)
            return operation
        }
    }

    /// The `page_content` intervals of the page at `page` of `lineage`, in
    /// order, each with the operations that wrote and cleared it.
    public static func contents(_ snapshot: LedgerSnapshot, page: UInt64, lineage: Int64) throws -> [PageContentRecord] {
        let arguments: StatementArguments = ["page": Int64(bitPattern: page), "lineage": lineage]
        let rows = try Row.fetchAll(snapshot.db.cachedStatement(sql: contentQuery), arguments: arguments)
        let starts = try rows.map { row throws(CorruptRow) in
            try LedgerRow(row, table: "page_content", key: "lineage, phys, from_seq").integer("from_seq")
        }
        return try rows.indices.map { position throws(CorruptRow) in
            let columns = rows[position]
            let content = LedgerRow(columns, table: "page_content", key: "lineage, phys, from_seq")
            let stored = try StoredPage(LedgerRow(columns, table: "page_data"), at: 4)
            let from = starts[position], until = try content.optionalInteger("to_seq")
            var write = try PageOperation(LedgerRow(columns, table: "op", key: "seq"), seq: from, action: .write)
            write.sha256 = hexDigits(stored.hash)
            // An interval that ends where no other starts: the page became zero.
            var clear: PageOperation?
            if let until, position + 1 == rows.count || starts[position + 1] != until {
                clear = try PageOperation(LedgerRow(columns, table: "op", key: "to_seq"), seq: until, action: .clear, prefix: "until_")
            }
            return PageContentRecord(fromSeq: from, untilSeq: until, stored: stored, write: write, clear: clear)
        }
    }
}

extension PageOperation {
    /// The operation `seq` whose `generation`, `time`, `kind` and `subject`
    /// are `row`'s columns of those names after `prefix`.
    fileprivate init(_ row: LedgerRow<Row>, seq: Int64, action: Action, prefix: String = "") throws(CorruptRow) {
        self.init(seq: seq, generation: try row.integer(prefix + "generation"), time: try row.text(prefix + "time"),
                  kind: try row.text(prefix + "kind"), subject: try row.optionalText(prefix + "subject"), action: action)
    }
}
