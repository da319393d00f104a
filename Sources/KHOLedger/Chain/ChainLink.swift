import Foundation

/// The hash chain's rule for each next op, wherever the chain is stored
/// (a ledger, or a fleet store's copy of it): the op's previous hash must
/// be the hash of the op before it, and its hash the ``HashChain`` hash of
/// its rows, as ``HashChain/Version/v2`` encodes them. A ledger's first ops,
/// recorded before v2, may carry their ``HashChain/Version/v1`` hash, up to
/// the first op that only v2 covers.
public struct ChainLink: Equatable, Sendable {
    /// How one op stands against the chain.
    public enum Verdict: Equatable, Sendable {
        /// Its hash is its v2 hash.
        case current
        /// Its hash is its v1 hash, which its place in the chain allows.
        case legacy
        /// Its previous hash is not the hash of the op before it.
        case wrongPrevious
        /// Its hash is not the hash of its rows.
        case mismatch
    }

    /// The hash the next op must name as its previous hash.
    public private(set) var previous: Data
    /// Whether the next op may still carry its v1 hash.
    public private(set) var legacyAllowed: Bool

    /// A chain whose last op has hash `previous` (``HashChain/genesis`` for
    /// none), with v1 hashes still allowed or not.
    public init(previous: Data = HashChain.genesis, legacyAllowed: Bool = true) {
        self.previous = previous
        self.legacyAllowed = legacyAllowed
    }

    /// Checks the next op, `rows` with its stored hashes, and when it holds
    /// makes it the chain's last op.
    public mutating func check(_ rows: OpRows, previousHash: Data, hash: Data) -> Verdict {
        guard previousHash == previous else { return .wrongPrevious }
        let verdict: Verdict
        if HashChain.hash(rows, previous: previous) == hash {
            if !HashChain.Version.v1.covers(rows) { legacyAllowed = false }
            verdict = .current
        } else if legacyAllowed, HashChain.hash(rows, previous: previous, version: .v1) == hash {
            verdict = .legacy
        } else {
            return .mismatch
        }
        previous = hash
        return verdict
    }

    /// Links the next op when its rows are not all at hand (a fleet store
    /// without its page contents): only its previous hash is checked.
    /// Whether v1 hashes are still allowed after it is unknown, so they no
    /// longer are.
    public mutating func link(previousHash: Data, hash: Data) -> Bool {
        guard previousHash == previous else { return false }
        previous = hash
        legacyAllowed = false
        return true
    }
}
