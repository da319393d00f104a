import Foundation
import KHOABI

/// A ledger's head kept off the host, optionally signed: `kholedger digest`
/// issues it, `kholedger audit --digest` checks that the ledger still
/// reaches it (``ChainVerifier/departure(from:)``). A ledger rewritten
/// from scratch, or cut short, has an intact chain of its own; only a head
/// kept elsewhere tells it from the ledger that was.
///
/// As a file it is one JSON object of format `kholedger-digest/1`:
///
///     {"format": "kholedger-digest/1", "seq": 62, "hash": "<64 hex digits>",
///      "taken": "2026-12-08T10:42:00.123Z",
///      "public_key": "<base64>" or null, "signature": "<base64>" or null}
///
/// `seq` and `hash` are the head (``ChainHead``); `taken` is when the digest
/// was issued, UTC to the millisecond. A signed digest carries the Ed25519
/// `signature` (64 bytes) of its ``message`` and the `public_key` that
/// verifies it (the base64 line of its PEM, ``DigestPublicKey``); an
/// unsigned one has null for both. Any other field is refused.
public struct LedgerDigest: Equatable, Sendable {
    /// The `format` of a digest document.
    public static let format = "kholedger-digest/1"

    /// The kept head.
    public let head: ChainHead
    /// When the digest was issued.
    public let taken: LedgerTime
    /// The signature, for a signed digest.
    public let signature: Signature?

    /// An Ed25519 signature of a digest's ``LedgerDigest/message`` and the key that made it.
    public struct Signature: Equatable, Sendable {
        public let publicKey: DigestPublicKey
        /// 64 bytes.
        public let bytes: Data
    }

    /// An unsigned digest.
    public init(head: ChainHead, taken: LedgerTime) {
        self.init(head: head, taken: taken, signature: nil)
    }

    private init(head: ChainHead, taken: LedgerTime, signature: Signature?) {
        self.head = head
        self.taken = taken
        self.signature = signature
    }

    /// What a signature covers: four lines of UTF-8 text, each ending in a
    /// line feed, the values in the form kholedger writes them (the hash in
    /// lowercase, the time with milliseconds and `Z`):
    ///
    ///     kholedger-digest/1
    ///     seq 62
    ///     hash <64 lowercase hexadecimal digits>
    ///     taken 2026-12-08T10:42:00.123Z
    public var message: Data {
        Data("\(Self.format)\nseq \(head.seq)\nhash \(hexDigits(head.hash))\ntaken \(taken)\n".utf8)
    }

    /// This digest signed with `key`.
    public func signed(with key: DigestSigningKey) throws(DigestError) -> LedgerDigest {
        LedgerDigest(head: head, taken: taken, signature: Signature(publicKey: key.publicKey, bytes: try key.signature(of: message)))
    }

    /// Checks the signature of a signed digest; with `trusted`, the digest
    /// must be signed, by that key.
    public func verify(trusting trusted: DigestPublicKey? = nil) throws(DigestError) {
        guard let signature else {
            if let trusted { throw .unsigned(wanted: trusted) }
            return
        }
        guard signature.publicKey.verifies(signature.bytes, of: message) else {
            throw .badSignature(signature: signature.bytes.base64EncodedString(), publicKey: signature.publicKey)
        }
        if let trusted, trusted != signature.publicKey { throw .untrustedSigner(signer: signature.publicKey, wanted: trusted) }
    }
}

extension LedgerDigest {
    /// The digest of `ledger`'s head, issued at `taken`: only for a ledger
    /// with operations whose whole chain verifies (``ChainVerifier/verify()``).
    public init(of ledger: Ledger, taken: LedgerTime) throws(DigestError) {
        let report: ChainVerifier.Report
        do {
            report = try ChainVerifier(ledger: ledger).verify()
        } catch {
            throw .ledger(error)
        }
        if let seq = report.firstBroken { throw .brokenChain(seq: seq, reason: report.reason ?? "hash mismatch") }
        guard let head = report.head else { throw .noOperations }
        self.init(head: head, taken: taken)
    }

    /// Reads a digest document; a malformed one is ``DigestError/malformed(_:)``
    /// naming the field and value. The signature is checked by ``verify(trusting:)``.
    public init(json: Data) throws(DigestError) {
        do {
            self = try JSONDecoder().decode(LedgerDigest.self, from: json)
        } catch let error as DigestError {
            throw error
        } catch let DecodingError.keyNotFound(key, _) {
            throw .malformed("it has no \"\(key.stringValue)\"")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .malformed("\(Self.field(context)) is null")
        } catch let DecodingError.typeMismatch(type, context) {
            throw .malformed("\(Self.field(context)) is not \(type == Int64.self ? "an integer" : type == String.self ? "a string" : "an object")")
        } catch let DecodingError.dataCorrupted(context) {
            throw .malformed(context.codingPath.isEmpty ? "it is not JSON" : "\(Self.field(context)): \(context.debugDescription)")
        } catch {
            throw .malformed("\(error)")
        }
    }

    /// The field a decoding error is about, or "the document".
    private static func field(_ context: DecodingError.Context) -> String {
        context.codingPath.last.map { "\"\($0.stringValue)\"" } ?? "the document"
    }
}

extension LedgerDigest: Codable {
    private enum Field: String, CodingKey {
        case format, seq, hash, taken, publicKey = "public_key", signature
    }

    /// Any key of the object, to find those that are no ``Field``.
    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).sorted()
            .first(where: { Field(stringValue: $0) == nil }) {
            throw DigestError.malformed("unknown field \"\(unknown)\"")
        }
        let fields = try decoder.container(keyedBy: Field.self)
        let format = try fields.decode(String.self, forKey: .format)
        guard format == Self.format else { throw DigestError.malformed("format \"\(format)\" is not \(Self.format)") }
        let seq = try fields.decode(Int64.self, forKey: .seq)
        guard seq >= 1 else { throw DigestError.malformed("seq \(seq) is not 1 or more") }
        let hash = try fields.decode(String.self, forKey: .hash)
        guard let head = ChainHead("\(seq):\(hash)") else { throw DigestError.malformed("hash \"\(hash)\" is not 64 hexadecimal digits") }
        let takenText = try fields.decode(String.self, forKey: .taken)
        guard let taken = LedgerTime(parsing: takenText, requiringZone: true) else {
            throw DigestError.malformed("taken \"\(takenText)\" is not a time such as 2026-12-08T10:42:00.123Z")
        }
        let signature: Signature?
        switch (try fields.decodeIfPresent(String.self, forKey: .publicKey), try fields.decodeIfPresent(String.self, forKey: .signature)) {
        case (nil, nil):
            signature = nil
        case let (keyText?, signatureText?):
            guard let publicKey = DigestPublicKey(base64: keyText) else {
                throw DigestError.malformed("public_key \"\(keyText)\" is not an Ed25519 public key (the base64 line of its PEM)")
            }
            guard let bytes = Data(base64Encoded: signatureText), bytes.count == 64 else {
                throw DigestError.malformed("signature \"\(signatureText)\" is not 64 bytes in base64")
            }
            signature = Signature(publicKey: publicKey, bytes: bytes)
        case (nil, _?):
            throw DigestError.malformed("it has a signature but no public_key")
        case (_?, nil):
            throw DigestError.malformed("it has a public_key but no signature")
        }
        self.init(head: head, taken: taken, signature: signature)
    }

    /// Writes the document; an unsigned digest has null `public_key` and `signature`.
    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.container(keyedBy: Field.self)
        try fields.encode(Self.format, forKey: .format)
        try fields.encode(head.seq, forKey: .seq)
        try fields.encode(hexDigits(head.hash), forKey: .hash)
        try fields.encode(taken.description, forKey: .taken)
        try fields.encode(signature?.publicKey.description, forKey: .publicKey)
        try fields.encode(signature?.bytes.base64EncodedString(), forKey: .signature)
    }
}
