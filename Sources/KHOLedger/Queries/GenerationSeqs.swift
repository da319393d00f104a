import GRDB

/// The seqs a `generation` row states: the generation's boot and, once it
/// handed over, its kexec.
public struct GenerationSeqs: Equatable, Sendable {
    public let boot: Int64
    /// Nil while the generation has not kexec'd.
    public let kexec: Int64?

    /// The seqs of `generation`, each checked to be a seq of a ledger whose
    /// last operation is `last` (the kexec at or after the boot); nil when
    /// the ledger has no such generation.
    public static func fetchOne(_ snapshot: LedgerSnapshot, generation: Int64, last: Int64) throws -> GenerationSeqs? {
        try Row.fetchOne(snapshot.db, sql: "SELECT generation, boot_seq, kexec_seq FROM generation WHERE generation = ?",
                         arguments: [generation]).map { columns throws(CorruptRow) in
            let row = LedgerRow(columns, table: "generation", key: "generation")
            let seqs = "a seq of the ledger (1…\(last))"
            let boot = try row.integer("boot_seq", in: 1 ... max(1, last), expected: seqs)
            let kexec = try row.optionalInteger("kexec_seq").map { _ throws(CorruptRow) in
                try row.integer("kexec_seq", in: boot ... max(boot, last), expected: seqs)
            }
            return GenerationSeqs(boot: boot, kexec: kexec)
        }
    }
}
