import GRDB
import KHOABI

/// `leak`: blocks a generation handed over that the next generation never
/// restored (no `restore` change of any of its operations consumed the
/// block's KHO magic). The next kernel keeps them reserved and nobody owns
/// them. KHO's own pages are handed over by every kexec and read in place by
/// the next kernel without a restore, so they are not counted: the root FDT
/// page, and (7.1+) the `kexec-metadata` blob, which the kernel reads at boot
/// and leaves reserved by design.
///
/// Checked only for a generation that kexec'd into a child present in the
/// audited scope; restores are counted up to its end.
struct LeakCheck: AuditCheck {
    let codes: Set<AuditCode> = [.leak]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for handover in scope.handovers {
            guard handover.isKexec, let child = handover.child else { continue }
            let arguments: StatementArguments = [
                "generation": handover.generation, "kexec": handover.seq, "child": child, "end": scope.end,
                "page_size": handover.geometry.pageSize, "fdt": handover.fdtPhys.map { Int64(bitPattern: $0) },
                "metadata": KexecMetadata.subtreeName,
            ]
            let (rows, owner) = try scope.read { db in
                let rows = try Row.fetchAll(db, sql: """
                    WITH RECURSIVE
                    handed(phys, ord, count, size, i) AS (
                        SELECT phys, ord, count, :page_size << ord, 0 FROM preserved_run
                        WHERE generation = :generation AND from_seq <= :kexec AND (to_seq IS NULL OR to_seq > :kexec)
                        UNION ALL
                        SELECT phys, ord, count, size, i + 1 FROM handed WHERE i + 1 < count
                    ),
                    claimed(phys, count, size, i) AS (
                        SELECT c.phys, c.count, :page_size << c.ord, 0
                        FROM op_change c JOIN op o ON o.seq = c.seq
                        WHERE o.generation = :child AND c.action = 'restore' AND c.seq <= :end
                        UNION ALL
                        SELECT phys, count, size, i + 1 FROM claimed WHERE i + 1 < count
                    )
                    SELECT phys + i * size AS phys, ord FROM handed
                    WHERE phys + i * size IS NOT :fdt
                      AND phys + i * size NOT IN (SELECT phys + i * size FROM claimed)
                      AND phys + i * size NOT IN (
                          SELECT phys FROM subtree WHERE generation = :generation AND direction = 'out' AND name = :metadata
                            AND from_seq <= :kexec AND (to_seq IS NULL OR to_seq >= :kexec))
                    ORDER BY phys + i * size
                    """, arguments: arguments)
                guard let first = rows.first else { return (rows, nil as String?) }
                return (rows, try Self.owner(of: first["phys"], handover: handover, db: db))
            }
            var blocks = AuditBlocks(geometry: handover.geometry)
            for row in rows { blocks.append(PreservedBlock(phys: UInt64(bitPattern: row["phys"]), order: row["ord"])) }
            guard let first = blocks.first else { continue }
            findings.append(AuditFinding(
                .leak, seq: handover.seq, generation: handover.generation, subject: owner ?? hex(first.phys),
                message: "generation \(handover.generation) handed over \(blocks.description)"
                    + (owner.map { " (of \"\($0)\")" } ?? "") + " that generation \(child) never restored"))
        }
        return findings
    }

    /// The name of the object (valid at the handover) whose frames or chunk
    /// pages hold the block at `phys`.
    private static func owner(of phys: Int64, handover: AuditScope.Handover, db: Database) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT o.name FROM object o JOIN object_extent e ON e.object_id = o.id
            WHERE o.generation = :generation AND o.from_seq <= :kexec AND (o.to_seq IS NULL OR o.to_seq > :kexec)
              AND e.phys <= :phys AND :phys < e.phys + e.count * (:page_size << e.ord)
            UNION ALL
            SELECT o.name FROM object o JOIN chunk c ON c.object_id = o.id
            WHERE o.generation = :generation AND o.from_seq <= :kexec AND (o.to_seq IS NULL OR o.to_seq > :kexec)
              AND c.phys = :phys
            LIMIT 1
            """, arguments: ["generation": handover.generation, "kexec": handover.seq, "phys": phys,
                             "page_size": handover.geometry.pageSize])
    }
}
