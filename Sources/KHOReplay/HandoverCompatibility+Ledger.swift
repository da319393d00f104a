import KHOABI
import KHOLedger

extension HandoverCompatibility {
    /// Evaluates the handover a ledger holds as of `seq`: the generation's
    /// root `compatible` and its outgoing subtrees, their blobs read from the
    /// ledger's memory (at most 16 pages each; a blob that cannot be read is
    /// passed on as unreadable), and its kho-v1 bitmap layout when the
    /// generation's release is known.
    public init(target: KernelRelease, ledger: Ledger, seq: Int64) throws {
        let state = try AsOfState(ledger: ledger, seq: seq)
        let view = try MemoryView(ledger: ledger, lineage: state.lineage, seq: seq)
        let pageSize = UInt64(state.geometry.pageSize)
        let subtrees = state.subtrees.filter { $0.direction == .outgoing }.map { subtree in
            let size = Int(min(subtree.size ?? pageSize, pageSize << 4))
            return Subtree(name: subtree.name, blob: try? view.read(subtree.phys, count: size))
        }
        // A simulated generation's release says which kho-v1 bitmap layout it wrote.
        self.init(target: target, compatible: Array(state.abi.compatible.utf8) + [0], subtrees: subtrees,
                  bitmapVariant: state.kernel == nil ? nil : state.abi.bitmapVariant)
    }
}
