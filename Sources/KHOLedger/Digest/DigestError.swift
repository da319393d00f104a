/// Why a digest could not be issued, read or trusted, or a key file read;
/// each message is one line naming the value at fault.
public enum DigestError: Error, Equatable, CustomStringConvertible {
    /// The ledger could not be read; the error keeps its cause.
    case ledger(LedgerError)
    /// The ledger has no operations, so no head to keep.
    case noOperations
    /// The ledger's hash chain breaks at `seq`: its head proves nothing.
    case brokenChain(seq: Int64, reason: String)
    /// The document is not a digest: no JSON object, an unknown format,
    /// a field missing, unknown or holding a value no digest has.
    case malformed(String)
    /// The signature does not verify with the public key beside it: the
    /// signed fields were edited, or the signature belongs to another key.
    case badSignature(signature: String, publicKey: DigestPublicKey)
    /// The digest is not signed, yet a signer was required.
    case unsigned(wanted: DigestPublicKey)
    /// The digest is signed by `signer`, not by the trusted key.
    case untrustedSigner(signer: DigestPublicKey, wanted: DigestPublicKey)
    /// A key file is not the Ed25519 PEM key wanted.
    case badKey(String)
    /// Signing failed in the crypto library; its message is kept.
    case signingFailed(String)

    public var description: String {
        switch self {
        case .ledger(let error):
            return "\(error)"
        case .noOperations:
            return "the ledger has no operations: there is no head to digest"
        case let .brokenChain(seq, reason):
            return "the hash chain breaks at seq \(seq) (\(reason)): a digest is only issued for a ledger whose chain verifies"
        case .malformed(let reason):
            return "not a \(LedgerDigest.format) document: \(reason)"
        case let .badSignature(signature, publicKey):
            return "signature \(signature) does not verify with public key \(publicKey): "
                + "the digest was edited after it was signed"
        case .unsigned(let wanted):
            return "the digest is not signed; it must be signed by public key \(wanted)"
        case let .untrustedSigner(signer, wanted):
            return "the digest is signed by public key \(signer), not by the trusted \(wanted)"
        case .badKey(let reason):
            return reason
        case .signingFailed(let reason):
            return "signing failed: \(reason)"
        }
    }
}
