import Foundation
import Testing
@testable import KHOLedger

/// A digest's signed message is the documented four lines, its Ed25519
/// signature is the one OpenSSL makes with the same key, its document
/// reads back as written, and it is only issued for a ledger with
/// operations.
@Suite("Ledger digest")
struct LedgerDigestTests {
    /// RFC 8410 §10.3's private key, as `openssl genpkey` writes one.
    static let privatePEM = Data("""
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
        -----END PRIVATE KEY-----

        """.utf8)

    /// Its public key, as `openssl pkey -pubout` writes it.
    static let publicPEM = Data("""
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
        -----END PUBLIC KEY-----

        """.utf8)

    /// Seq 62, a hash of 0xab bytes, taken at 2026-12-08T10:42:00.123Z.
    static let digest = LedgerDigest(head: ChainHead(seq: 62, hash: Data(repeating: 0xab, count: 32)),
                                     taken: LedgerTime(parsing: "2026-12-08T10:42:00.123Z")!)

    @Test func messageIsTheDocumentedLines() {
        #expect(String(decoding: Self.digest.message, as: UTF8.self) == """
            kholedger-digest/1
            seq 62
            hash \(String(repeating: "ab", count: 32))
            taken 2026-12-08T10:42:00.123Z

            """)
    }

    /// `openssl pkeyutl -sign -rawin -inkey key.pem -in message | base64` of the message above.
    @Test func signatureIsOpenSSLs() throws {
        let signed = try Self.digest.signed(with: DigestSigningKey(pem: Self.privatePEM))
        let publicKey = try DigestPublicKey(pem: Self.publicPEM)
        #expect(signed.signature?.publicKey == publicKey)
        #expect(publicKey.description == "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=")
        #expect(signed.signature?.bytes.base64EncodedString()
            == "YeGsAEB4uJA64ft8/0vB3zWUwdmaM4uL4VUDcOsnP2ws9yrzMQULEFnW8rqTFR02oC2i0jDDzhfdSE5H8rmiBg==")
        try signed.verify(trusting: publicKey)
    }

    @Test func documentReadsBackAsWritten() throws {
        let signed = try Self.digest.signed(with: DigestSigningKey(pem: Self.privatePEM))
        for digest in [Self.digest, signed] {
            #expect(try LedgerDigest(json: JSONEncoder().encode(digest)) == digest)
        }
        let unsigned = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.digest)) as? [String: Any])
        #expect(Set(unsigned.keys) == ["format", "seq", "hash", "taken", "public_key", "signature"])
        #expect(unsigned["signature"] is NSNull && unsigned["public_key"] is NSNull)
    }

    @Test func keysAreReadOnlyWhereWanted() {
        #expect(throws: DigestError.self) { try DigestPublicKey(pem: Self.privatePEM) }
        #expect(throws: DigestError.self) { try DigestSigningKey(pem: Self.publicPEM) }
        #expect(throws: DigestError.self) { try DigestSigningKey(pem: Data("MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp".utf8)) }
    }

    @Test func anEmptyLedgerHasNoDigest() throws {
        let temp = try TemporaryLedger()
        #expect(throws: DigestError.noOperations) { try LedgerDigest(of: Ledger(path: temp.path), taken: LedgerTime(Date())) }
    }

    @Test func issuedDigestIsTheLedgersHead() throws {
        let temp = try TemporaryLedger()
        let (ledger, _) = try temp.record { m in
            try m.vmalloc(name: "a", size: 4096 * 3)
            try m.kexec()
        }
        let digest = try LedgerDigest(of: ledger, taken: LedgerTime(Date()))
        #expect(digest.head == (try ledger.head()))
        #expect(digest.signature == nil)
    }
}
