import KHOLedger

extension LedgerDigest {
    /// "signed by Ed25519 public key K" (K as its PEM's base64 line) or "not signed".
    var signing: String {
        signature.map { "signed by Ed25519 public key \($0.publicKey)" } ?? "not signed"
    }
}
