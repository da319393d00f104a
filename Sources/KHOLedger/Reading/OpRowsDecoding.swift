import Foundation
import KHOABI

// The hashed rows of an op (``OpRows``), decoded from stored rows wherever
// they are stored: the ledger's SQLite tables, or a fleet store's copy of
// them. Each value is checked as ``LedgerRow`` checks it; the chain hashes
// what is stored, so a value out of bounds breaks the chain, not the read.

extension OpRow {
    /// A row of `op`: `seq`, `generation`, `time`, `kind`, `subject`,
    /// `args`, `result`, `errno`, `detail`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(seq: try row.integer("seq"), generation: try row.integer("generation"), time: try row.text("time"),
                  kind: try row.text("kind"), subject: try row.optionalText("subject"), args: try row.text("args"),
                  result: try row.text("result"), errno: try row.optionalInteger("errno"), detail: try row.optionalText("detail"))
    }
}

extension LedgerRow {
    /// The `phys`, `ord` and `count` of a layout row, exactly as stored.
    func storedRun() throws(CorruptRow) -> BlockRun {
        BlockRun(phys: try address("phys"), order: Int(try integer("ord")), count: Int(try integer("count")))
    }
}

extension ChangeRow {
    /// A row of `op_change`: `part`, `action`, `phys`, `ord`, `count`, `blocks`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(part: try row.integer("part"), action: try row.text("action"), run: try row.storedRun(),
                  blocks: try row.optionalText("blocks"))
    }
}

extension ObjectRows {
    /// A row of `object` without its extents and chunks: `kind`, `name`,
    /// `descriptor_phys`, `first_chunk`, `total_pages`, `flags`, `ord`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(kind: try row.text("kind"), name: try row.text("name"), descriptorPhys: try row.optionalInteger("descriptor_phys"),
                  firstChunk: try row.optionalInteger("first_chunk"), totalPages: try row.optionalInteger("total_pages"),
                  flags: try row.optionalInteger("flags"), ord: try row.optionalInteger("ord"))
    }
}

extension ExtentRow {
    /// A row of `object_extent`: `first_index`, `phys`, `ord`, `count`, `blocks`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(firstIndex: try row.integer("first_index"), run: try row.storedRun(), blocks: try row.optionalText("blocks"))
    }
}

extension ChunkRow {
    /// A row of `chunk`: `idx`, `phys`, `next`, `entries`, `bytes`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(idx: try row.integer("idx"), phys: try row.integer("phys"), next: try row.integer("next"),
                  entries: try row.integer("entries"), bytes: try row.blob("bytes"))
    }
}

extension ContentRow {
    /// A content interval: `phys` and the page data's `hash`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(phys: try row.integer("phys"), hash: try row.blob("hash"))
    }
}

extension SubtreeRow {
    /// A row of `subtree`: `direction`, `name`, `phys`, `size`, `blob`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(direction: try row.text("direction"), name: try row.text("name"), phys: try row.integer("phys"),
                  size: try row.optionalInteger("size"), blob: try row.optionalBlob("blob"))
    }
}

extension BootMemoryRow {
    /// A row of `boot_memory`: `name`, `idx`, `phys`, `size`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(name: try row.text("name"), idx: try row.integer("idx"), phys: try row.integer("phys"), size: try row.integer("size"))
    }
}

extension HandoverRow {
    /// The handover columns of a `generation` row: `kexec_seq` (0 when
    /// NULL, which no kexec records) and `root_fdt`.
    public init(_ row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(kexecSeq: try row.optionalInteger("kexec_seq") ?? 0, rootFDT: try row.optionalBlob("root_fdt"))
    }
}
