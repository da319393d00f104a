import GRDB

/// The kexec that started a generation: its parent's handover.
public enum ParentKexecs {
    /// The seq of the kexec that booted `generation`; nil when no kexec
    /// started it (a cold boot, or a parent that has not kexec'd).
    public static func seq(_ snapshot: LedgerSnapshot, booting generation: Int64) throws -> Int64? {
        try Row.fetchOne(snapshot.db, sql: """
            SELECT p.generation, p.kexec_seq FROM generation g JOIN generation p ON p.generation = g.parent WHERE g.generation = ?
            """, arguments: [generation]).flatMap { columns throws(CorruptRow) in
            try LedgerRow(columns, table: "generation", key: "generation").optionalInteger("kexec_seq")
        }
    }
}
