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
    /// The row as the ledger holds it.
    init(row: Row) {
        self.init(generation: row["generation"], parent: row["parent"], lineage: row["lineage"], bootNumber: row["boot_number"],
                  abi: row["abi"], pageSize: row["page_size"], memoryBase: row["memory_base"], memorySize: row["memory_size"],
                  bootSeq: row["boot_seq"], trackerRoot: row["tracker_root"], fdtPhys: row["fdt_phys"], source: row["source"],
                  label: row["label"], machine: row["machine"], kernel: row["kernel"], previousRelease: row["previous_release"],
                  kexecCount: row["kexec_count"])
    }
}

/// The columns of a `generation` row its kexec sets: the kexec's seq and
/// the root FDT it handed over.
public struct HandoverRow: Equatable, Sendable {
    public var kexecSeq: Int64
    public var rootFDT: Data?
}
