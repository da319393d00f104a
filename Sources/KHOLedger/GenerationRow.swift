import Foundation
import GRDB

/// A row of `generation` as its boot writes it (a kexec later sets
/// ``HandoverRow``'s columns).
public struct GenerationRow: Equatable, Sendable {
    public var generation: Int64
    public var parent: Int64?
    public var lineage: Int64
    public var bootNumber: Int64
    public var abi: String
    public var pageSize: Int64
    public var memoryBase: Int64
    public var memorySize: Int64
    public var bootSeq: Int64
    public var trackerRoot: Int64?
    public var fdtPhys: Int64?
    public var source: String
    public var label: String?
    public var machine: String?
    public var kernel: String?
    public var previousRelease: String?
    public var kexecCount: Int64?

    /// The columns in `INSERT` order, matching ``values``.
    static let columns = ["generation", "parent", "lineage", "boot_number", "abi", "page_size", "memory_base", "memory_size",
                          "boot_seq", "tracker_root", "fdt_phys", "source", "label", "machine",
                          "kernel", "previous_release", "kexec_count"]
}

extension GenerationRow {
    /// The row as the ledger holds it, or a copy of it (a fleet store's).
    public init(row: LedgerRow<some StoredColumns>) throws(CorruptRow) {
        self.init(generation: try row.integer("generation"), parent: try row.optionalInteger("parent"), lineage: try row.integer("lineage"),
                  bootNumber: try row.integer("boot_number"), abi: try row.text("abi"), pageSize: try row.integer("page_size"),
                  memoryBase: try row.integer("memory_base"), memorySize: try row.integer("memory_size"), bootSeq: try row.integer("boot_seq"),
                  trackerRoot: try row.optionalInteger("tracker_root"), fdtPhys: try row.optionalInteger("fdt_phys"),
                  source: try row.text("source"), label: try row.optionalText("label"), machine: try row.optionalText("machine"),
                  kernel: try row.optionalText("kernel"), previousRelease: try row.optionalText("previous_release"),
                  kexecCount: try row.optionalInteger("kexec_count"))
    }
}

/// The columns of a `generation` row its kexec sets: the kexec's seq and
/// the root FDT it handed over.
public struct HandoverRow: Equatable, Sendable {
    public var kexecSeq: Int64
    public var rootFDT: Data?

    public init(kexecSeq: Int64, rootFDT: Data?) {
        self.kexecSeq = kexecSeq
        self.rootFDT = rootFDT
    }
}
