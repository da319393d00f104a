import GRDB
import KHOABI
import KHOLedger

/// What holds one physical page as of a point: an object by its frames
/// (a vmalloc area, folio, page range or `kho_alloc_preserve` blob,
/// preserved or restored), a vmalloc area's chunk page, a subtree's blob,
/// or the generation's root FDT page.
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
    }

    /// The object's or subtree's name (`root FDT` for the root FDT page).
    public var name: String
    /// The object kind (`vmalloc`, `folio`, …), `subtree` or `fdt`.
    public var kind: String
    public var role: Role

    /// `journal`, `journal page 3`, `journal chunk 0`, `subtree app`, `root FDT`.
    public var description: String {
        switch role {
        case .page(let index): return index == 0 ? name : "\(name) page \(index)"
        case .chunk(let index): return "\(name) chunk \(index)"
        case .subtreeBlob: return "subtree \(name)"
        case .rootFDT: return name
        }
    }
}

extension AsOfState {
    /// The owner of each of `addresses` as of this state's point (an
    /// address nothing the ledger knows holds is left out). One indexed
    /// query per address over this generation's rows valid at the point.
    public func owners(of addresses: [UInt64], in ledger: Ledger) throws(ReplayError) -> [UInt64: PageOwner] {
        try ledger.asOfRead { db in
            var owners: [UInt64: PageOwner] = [:]
            for address in addresses {
                if let owner = try PageOwner.find(address, generation: generation, seq: seq, pageSize: geometry.pageSize, db: db) {
                    owners[address] = owner
                }
            }
            return owners
        }
    }
}

extension PageOwner {
    /// The owner of the page at `phys` in `generation` right after `seq`;
    /// a page held twice (a restored area and its preserved namesake share
    /// frames) is named by the first match.
    static func find(_ phys: UInt64, generation: Int64, seq: Int64, pageSize: Int, db: Database) throws -> PageOwner? {
        let page = Int64(bitPattern: phys & ~UInt64(pageSize - 1))
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT o.name, o.kind, 'page' AS role,
                   ((e.first_index + (:page - e.phys) / (:page_size << e.ord)) << e.ord)
                       + ((:page - e.phys) % (:page_size << e.ord)) / :page_size AS idx
            FROM object o JOIN object_extent e ON e.object_id = o.id
            WHERE o.generation = :generation AND o.from_seq <= :seq AND (o.to_seq IS NULL OR o.to_seq > :seq)
              AND e.phys <= :page AND :page < e.phys + e.count * (:page_size << e.ord)
            UNION ALL
            SELECT o.name, o.kind, 'chunk', c.idx
            FROM object o JOIN chunk c ON c.object_id = o.id
            WHERE o.generation = :generation AND o.from_seq <= :seq AND (o.to_seq IS NULL OR o.to_seq > :seq) AND c.phys = :page
            UNION ALL
            SELECT s.name, 'subtree', 'subtree', 0 FROM subtree s
            WHERE s.generation = :generation AND s.direction = 'out' AND s.from_seq <= :seq AND (s.to_seq IS NULL OR s.to_seq >= :seq)
              AND s.phys - (s.phys % :page_size) <= :page AND :page < s.phys + max(coalesce(s.size, 1), 1)
            UNION ALL
            SELECT 'root FDT', 'fdt', 'fdt', 0 FROM generation g WHERE g.generation = :generation AND g.fdt_phys = :page
            LIMIT 1
            """), arguments: ["page": page, "page_size": pageSize, "generation": generation, "seq": seq]) else { return nil }
        let index: Int64 = row["idx"], kind: String = row["kind"], name: String = row["name"]
        switch row["role"] as String {
        case "chunk": return PageOwner(name: name, kind: kind, role: .chunk(index: index))
        case "subtree": return PageOwner(name: name, kind: kind, role: .subtreeBlob)
        case "fdt": return PageOwner(name: name, kind: kind, role: .rootFDT)
        default: return PageOwner(name: name, kind: kind, role: .page(index: index))
        }
    }
}
