import Crypto
import Foundation
import KHOABI

/// An Ed25519 public key as `openssl pkey -in key.pem -pubout` writes it:
/// a `PUBLIC KEY` PEM block around the DER SubjectPublicKeyInfo of RFC 8410
/// (`302a300506032b6570032100`, then the 32-byte key).
///
/// Its ``description`` is the base64 of that DER, the line between the
/// PEM's BEGIN and END lines, so a key kholedger prints can be matched
/// with its file by eye or with `grep`.
public struct DigestPublicKey: Equatable, Sendable, CustomStringConvertible {
    /// The 32-byte key.
    public let rawRepresentation: Data

    /// The DER SubjectPublicKeyInfo up to the key.
    private static let prefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    public var description: String { (Data(Self.prefix) + rawRepresentation).base64EncodedString() }

    /// The key in a PEM file's bytes.
    public init(pem: Data) throws(DigestError) {
        try self.init(der: PEMBlock.der(in: pem, label: "PUBLIC KEY", makeWith: "openssl pkey -in KEY -pubout"))
    }

    /// The key whose base64 DER is `text` (its ``description``); nil when
    /// `text` is not one.
    init?(base64 text: String) {
        guard let der = Data(base64Encoded: text), let key = try? Self(der: der) else { return nil }
        self = key
    }

    private init(der: Data) throws(DigestError) {
        rawRepresentation = try PEMBlock.key(in: der, after: Self.prefix, label: "PUBLIC KEY")
    }

    /// The key whose 32 bytes are `rawRepresentation`.
    fileprivate init(rawRepresentation: Data) {
        self.rawRepresentation = rawRepresentation
    }

    /// True when `signature` is this key's Ed25519 signature of `message`.
    func verifies(_ signature: Data, of message: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}

/// An Ed25519 private key as `openssl genpkey -algorithm ed25519` writes it:
/// a `PRIVATE KEY` PEM block around the DER PKCS#8 structure of RFC 8410
/// (`302e020100300506032b657004220420`, then the 32-byte seed).
public struct DigestSigningKey {
    private let key: Curve25519.Signing.PrivateKey

    /// The DER PKCS#8 structure up to the seed.
    private static let prefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
                                          0x04, 0x22, 0x04, 0x20]

    /// The key in a PEM file's bytes.
    public init(pem: Data) throws(DigestError) {
        let der = try PEMBlock.der(in: pem, label: "PRIVATE KEY", makeWith: "openssl genpkey -algorithm ed25519 -out KEY")
        let seed = try PEMBlock.key(in: der, after: Self.prefix, label: "PRIVATE KEY")
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw .badKey("the PRIVATE KEY is no Ed25519 seed: \(error)")
        }
    }

    /// The key that verifies its signatures.
    public var publicKey: DigestPublicKey { DigestPublicKey(rawRepresentation: key.publicKey.rawRepresentation) }

    /// The Ed25519 signature of `message`.
    func signature(of message: Data) throws(DigestError) -> Data {
        do {
            return try key.signature(for: message)
        } catch {
            throw .signingFailed("\(error)")
        }
    }
}

/// The one PEM block of a key file and the key inside its DER.
private enum PEMBlock {
    /// The DER between `-----BEGIN label-----` and `-----END label-----`;
    /// `makeWith` is the command that writes such a file, for the error.
    static func der(in pem: Data, label: String, makeWith: String) throws(DigestError) -> Data {
        let lines = String(decoding: pem, as: UTF8.self).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN \(label)-----") else {
            let other = lines.first { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }
            throw .badKey((other.map { "it holds a \($0.dropFirst(11).dropLast(5)), not a \(label)" }
                ?? "it is not a PEM file (no -----BEGIN \(label)----- line)") + "; `\(makeWith)` writes one")
        }
        guard let end = lines[begin...].firstIndex(of: "-----END \(label)-----") else {
            throw .badKey("its \(label) has no -----END \(label)----- line")
        }
        guard let der = Data(base64Encoded: lines[(begin + 1) ..< end].joined()) else {
            throw .badKey("its \(label) is not base64")
        }
        return der
    }

    /// The 32 bytes after `prefix`, when `der` is exactly the two.
    static func key(in der: Data, after prefix: [UInt8], label: String) throws(DigestError) -> Data {
        guard der.count == prefix.count + 32, der.starts(with: prefix) else {
            throw .badKey("its \(label) is no Ed25519 key: its DER is \(der.count) bytes starting \(hexDigits(der.prefix(prefix.count))), "
                + "not \(prefix.count + 32) bytes starting \(hexDigits(prefix))")
        }
        return Data(der.suffix(32))
    }
}
