import KHOABI

/// `subtree-blob-not-fdt`: at the handover of a kho-v1 or kho-v2
/// generation, an outgoing subtree points at a blob that is not an FDT.
/// Those ABIs hand subtrees over as FDTs (the next kernel sizes them by the
/// FDT header's `totalsize`), but `kho_add_subtree` never checks: the kernel
/// accepts the blob, and the next kernel cannot read it. kho-v3 and later
/// carry `blob-size`, so any blob is fine there.
struct SubtreeFDTCheck: AuditCheck {
    let codes: Set<AuditCode> = [.subtreeBlobNotFDT]

    func findings(in scope: AuditScope) throws(AuditError) -> [AuditFinding] {
        var findings: [AuditFinding] = []
        for handover in scope.handovers {
            let state = try scope.state(at: handover)
            guard !state.abi.hasBlobSize else { continue }
            let view: MemoryView
            do {
                view = try MemoryView(ledger: scope.ledger, lineage: state.lineage, seq: handover.seq)
            } catch {
                throw .memory(error)
            }
            for subtree in state.subtrees where subtree.direction == .outgoing {
                let magic = (try? view.read(subtree.phys, count: FDTHeader.size)).flatMap { try? FDTHeader(bytes: $0).magic }
                guard magic != FDTHeader.magicValue else { continue }
                findings.append(AuditFinding(
                    .subtreeBlobNotFDT, seq: handover.seq, generation: handover.generation, subject: subtree.name,
                    message: "subtree \"\(subtree.name)\" (added at seq \(subtree.fromSeq)) points at \(hex(subtree.phys)), "
                        + "which holds no FDT (magic \(magic.map { hex($0) } ?? "unreadable")): a \(state.abi.compatible) "
                        + "kernel hands subtrees over as FDTs, so the next kernel cannot read it"))
            }
        }
        return findings
    }
}
