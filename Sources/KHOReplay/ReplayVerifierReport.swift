/// The outcome of a ``ReplayVerifier`` run: per lineage, how far the replay
/// reproduced the ledger, and the first operation where it did not.
public struct ReplayVerifierReport: Equatable, Sendable {
    /// The first recorded operation the replay did not reproduce.
    public struct Divergence: Equatable, Sendable, CustomStringConvertible {
        /// The recorded op's seq.
        public var seq: Int64
        /// The recorded op's kind.
        public var kind: String
        /// What differed: a table of derived rows (`op`, `op_change`,
        /// `preserved_run`, `object`, `object_extent`, `chunk`,
        /// `page_content`, `subtree`, `generation`), or `call` when the
        /// replayed machine could not make the call at all.
        public var table: String
        /// The row and column, with the recorded and the replayed value.
        public var detail: String

        public var description: String { "seq \(seq) (\(kind)): \(table): \(detail)" }
    }

    /// One lineage: the generations descending from one cold boot, replayed
    /// on one fresh machine.
    public struct Lineage: Equatable, Sendable {
        /// The lineage's cold-boot generation.
        public var lineage: Int64
        public var generations: Int
        /// Operations recorded.
        public var ops: Int
        /// Operations reproduced, from the first, before any divergence.
        public var verified: Int
        public var divergence: Divergence?
        /// Why the lineage was not replayed (no machine configuration), if so.
        public var skipped: String?
    }

    public var lineages: [Lineage]

    /// The divergence with the lowest seq, over every lineage.
    public var firstDivergence: Divergence? { lineages.compactMap(\.divergence).min { $0.seq < $1.seq } }

    /// Operations reproduced, over every lineage.
    public var verifiedOps: Int { lineages.reduce(0) { $0 + $1.verified } }

    /// True when every replayed lineage reproduced every recorded operation.
    public var matches: Bool { firstDivergence == nil }
}
