import GRDB
import KHOABI

/// What holds one physical page as of a point: an object by its frames
/// (a vmalloc area, folio, page range or `kho_alloc_preserve` blob,
/// preserved or restored), a vmalloc area's chunk page, a subtree's blob,
/// the generation's root FDT page, or a page of its preserved-memory
/// tracker (the radix root from the boot on; at the kexec, every tracker
/// page the handover carries, as the ledger records them then).
public struct PageOwner: Hashable, Sendable, CustomStringConvertible {
    /// What part of the owner the page is.
    public enum Role: Hashable, Sendable {
        /// Page `index` of the object's pages.
        case page(index: Int64)
        /// Chunk page `index` of a vmalloc area.
        case chunk(index: Int64)
        /// The blob a subtree points to.
        case subtreeBlob
        /// The root FDT page.
        case rootFDT
        /// A page of the tracker: a radix node, or a kho-v1 bitmap or its
        /// chunk page.
        case trackerNode
    }

    /// The object's or subtree's name (`root FDT` for the root FDT page,
    /// `tracker` for a tracker page).
    public var name: String
    /// The object kind (`vmalloc`, `folio`, …), `subtree`, `fdt` or `tracker`.
    public var kind: String
    public var role: Role

    /// `journal`, `journal page 3`, `journal chunk 0`, `subtree app`, `root FDT`, `tracker node`.
    public var description: String {
        switch role {
        case .page(let index): return index == 0 ? name : "\(name) page \(index)"
        case .chunk(let index): return "\(name) chunk \(index)"
        case .subtreeBlob: return "subtree \(name)"
        case .rootFDT: return name
        case .trackerNode: return "\(name) node"
        }
    }
}

extension PageOwner {
    /// The owner of the page at `phys` in `generation` right after `seq`;
    /// a page held twice (a restored area and its preserved namesake share
    /// frames) is named by the first of ``fetchAll(_:page:generation:seq:pageSize:)``.
    public static func fetchOne(_ snapshot: LedgerSnapshot, page phys: UInt64, generation: Int64, seq: Int64,
                                pageSize: Int) throws -> PageOwner? {
        try fetchAll(snapshot, page: phys, generation: generation, seq: seq, pageSize: pageSize).first
    }

    /// Everything holding `:page` in `:generation` right after `:seq` (pages of `:page_size` bytes).
    /// Objects are reached from the page's extents and chunk pages (CROSS
    /// JOIN keeps SQLite from driving from the generation's objects by time);
    /// packed extents (``PackedBlocks``) by reading the lists of the packed
    /// rows, found through their partial index. Not through the view
    /// `object_extent_block`, as ``PageRecords`` explains.
    static let query = """
        WITH RECURSIVE \(CoveringRuns.near("object_extent", as: "extent"))
        SELECT o.name, o.kind, 'page' AS role,
               ((e.first_index + (:page - e.phys) / (:page_size << e.ord)) << e.ord)
                   + ((:page - e.phys) % (:page_size << e.ord)) / :page_size AS idx, 0 AS branch, o.id AS rank
        FROM extent e JOIN object o ON o.id = e.object_id
        WHERE o.generation = :generation AND o.from_seq <= :seq AND (o.to_seq IS NULL OR o.to_seq > :seq)
          AND e.blocks IS NULL AND \(CoveringRuns.covers("e", pageSize: ":page_size"))
        UNION ALL
        SELECT o.name, o.kind, 'page', ((e.first_index + j.key) << e.ord) + :page / :page_size - j.value, 0, o.id
        FROM object_extent e INDEXED BY object_extent_packed CROSS JOIN object o ON o.id = e.object_id JOIN json_each(e.blocks) j
        WHERE e.blocks IS NOT NULL AND o.generation = :generation AND o.from_seq <= :seq AND (o.to_seq IS NULL OR o.to_seq > :seq)
          AND instr(e.blocks, (:page / :page_size) >> e.ord << e.ord) > 0 AND j.value = (:page / :page_size) >> e.ord << e.ord
        UNION ALL
        SELECT o.name, o.kind, 'chunk', c.idx, 1, o.id
        FROM chunk c INDEXED BY chunk_by_page CROSS JOIN object o ON o.id = c.object_id
        WHERE c.phys = :page AND o.generation = :generation AND o.from_seq <= :seq AND (o.to_seq IS NULL OR o.to_seq > :seq)
        UNION ALL
        SELECT s.name, 'subtree', 'subtree', 0, 2, s.id FROM subtree s
        WHERE s.generation = :generation AND s.direction = 'out' AND s.from_seq <= :seq AND (s.to_seq IS NULL OR s.to_seq >= :seq)
          AND s.phys - (s.phys % :page_size) <= :page AND :page < s.phys + max(coalesce(s.size, 1), 1)
        UNION ALL
        SELECT 'root FDT', 'fdt', 'fdt', 0, 3, 0 FROM generation g WHERE g.generation = :generation AND g.fdt_phys = :page
        UNION ALL
        SELECT 'tracker', 'tracker', 'tracker', 0, 4, 0 FROM generation g
        WHERE g.generation = :generation AND (g.tracker_root = :page OR (g.kexec_seq = :seq AND g.fdt_phys IS NOT :page
            AND EXISTS (SELECT 1 FROM page_content c WHERE c.lineage = g.lineage AND c.phys = :page AND c.from_seq = g.kexec_seq)))
        ORDER BY branch, rank
        """

    /// Everything that holds the page at `phys` in `generation` right after
    /// `seq`: objects (in the order they were made), chunk pages, subtree
    /// blobs, the root FDT, tracker pages. Every lookup is by the page's
    /// address through an index (``CoveringRuns`` for the objects' extents).
    public static func fetchAll(_ snapshot: LedgerSnapshot, page phys: UInt64, generation: Int64, seq: Int64,
                                pageSize: Int) throws -> [PageOwner] {
        let page = Int64(bitPattern: phys & ~UInt64(pageSize - 1))
        let arguments: StatementArguments = ["page": page, "page_size": pageSize, "generation": generation, "seq": seq]
        return try Row.fetchAll(snapshot.db.cachedStatement(sql: query), arguments: arguments).map { columns throws(CorruptRow) in
            // The branch of the query that found the row names its table.
            let table = ["object", "chunk", "subtree", "generation", "generation"][Int(columns["branch"] as Int64)]
            let row = LedgerRow(columns, table: table, key: "rank")
            let index = try row.integer("idx"), kind = try row.text("kind"), name = try row.text("name")
            switch try row.text("role") {
            case "chunk": return PageOwner(name: name, kind: kind, role: .chunk(index: index))
            case "subtree": return PageOwner(name: name, kind: kind, role: .subtreeBlob)
            case "fdt": return PageOwner(name: name, kind: kind, role: .rootFDT)
            case "tracker": return PageOwner(name: name, kind: kind, role: .trackerNode)
            default: return PageOwner(name: name, kind: kind, role: .page(index: index))
            }
        }
    }
}
