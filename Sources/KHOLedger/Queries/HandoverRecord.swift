import Foundation
import GRDB
import KHOABI
import KHOMachine

/// What a `generation` row says about the generation's handover: its kexec,
/// the root FDT it handed over and where, and the machine that ran it.
public struct HandoverRecord: Sendable {
    /// The seq of the kexec that handed over; nil while it has not.
    public let kexecSeq: Int64?
    /// The root FDT's bytes handed over at the kexec.
    public let rootFDT: [UInt8]?
    /// Where the outgoing root FDT page is.
    public let fdtPhys: UInt64?
    /// The emulated machine's configuration (simulate only; nil for an
    /// import, or when the stored JSON does not decode).
    public let machine: MachineConfig?

    /// The record of `generation`, or nil when the ledger has no such generation.
    public static func fetchOne(_ snapshot: LedgerSnapshot, generation: Int64) throws -> HandoverRecord? {
        try Row.fetchOne(snapshot.db, sql: "SELECT generation, kexec_seq, root_fdt, fdt_phys, machine FROM generation WHERE generation = ?",
                         arguments: [generation]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "generation", key: "generation")
            return HandoverRecord(kexecSeq: try row.optionalInteger("kexec_seq"), rootFDT: try row.optionalBlob("root_fdt").map { [UInt8]($0) },
                                  fdtPhys: try row.optionalAddress("fdt_phys"),
                                  machine: try row.optionalText("machine").flatMap { try? JSONDecoder().decode(MachineConfig.self, from: Data($0.utf8)) })
        }
    }
}
