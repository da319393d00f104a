import Foundation
import KHOTestSupport
import Testing

/// `kholedger digest` issues the ledger's head as a digest, signed with
/// an OpenSSL Ed25519 key on request; `audit --chain --digest` proves the
/// ledger still reaches it. A ledger recorded again from scratch (every
/// hash new) or cut short is one chain-break finding and exit 1; a digest
/// edited after signing, signed by another key than --trust names, or
/// malformed is one error line and exit 2.
@Suite("Digest")
struct DigestCommandTests {
    let ledger: SimulatedLedger
    var directory: TemporaryDirectory { ledger.directory }

    init() throws { ledger = try SimulatedLedger(example: "multi-generation.yaml") }

    /// Runs `digest --output FILE` with `options` on `ledger` and returns
    /// FILE, in the fixture's directory.
    private func digest(of ledger: SimulatedLedger? = nil, _ options: [String] = [], to name: String = "digest.json") throws -> String {
        let file = directory.path(name)
        let result = try (ledger ?? self.ledger).kholedger(["digest", "--output", file] + options)
        try #require(result.status == 0, "\(result.stderr)")
        return file
    }

    /// `audit --chain --digest file` plus `options`, on `ledger`.
    private func audit(_ ledger: SimulatedLedger? = nil, digest file: String, _ options: [String] = []) throws -> ToolResult {
        try (ledger ?? self.ledger).kholedger(["audit", "--chain", "--digest", file] + options)
    }

    /// The one chain-break line of a failed audit.
    private func chainBreak(_ result: ToolResult) -> String? {
        let lines = result.stdout.split(separator: "\n").filter { $0.contains("chain-break") }
        return lines.count == 1 ? String(lines[0]) : nil
    }

    /// The one error line of a refused command, which printed nothing else.
    private func errorLine(_ result: ToolResult, status: Int32) -> String? {
        let lines = result.stderr.split(separator: "\n")
        guard result.status == status, !result.signaled, result.stdout.isEmpty, lines.count == 1, lines[0].hasPrefix("error: ") else {
            return nil
        }
        return String(lines[0])
    }

    /// The document in `file` as an object.
    private func document(_ file: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
    }

    /// Writes `object` to `file` as JSON.
    private func write(_ object: [String: Any], to file: String) throws {
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: file))
    }

    @Test func digestIsTheChainHead() throws {
        let chain = try ledger.kholedger(["audit", "--chain"])
        let headLine = try #require(chain.stdout.split(separator: "\n").last)
        let text = try ledger.kholedger(["digest"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.first == headLine)
        #expect(lines.last == "not signed")
        let file = directory.path("digest.json")
        let json = try ledger.kholedger(["digest", "--format", "json", "--output", file])
        #expect(json.stdout == (try String(contentsOfFile: file, encoding: .utf8)))
        let fields = try document(file)
        #expect(fields["format"] as? String == "kholedger-digest/1")
        #expect("head: \(fields["seq"] ?? ""):\(fields["hash"] ?? "")" == headLine)
        #expect(fields["signature"] is NSNull && fields["public_key"] is NSNull)
    }

    @Test func ledgerThatGrewStillReachesTheDigest() throws {
        let file = try digest()
        let kept = try audit(digest: file)
        #expect(kept.status == 0, "\(kept.stdout)")
        let fields = try document(file)
        #expect(kept.stdout.contains("digest: \(fields["seq"] ?? ""):\(fields["hash"] ?? "") taken \(fields["taken"] ?? ""), not signed"))
        let more = try ledger.kholedger(["simulate", ToolRunner.examples.appendingPathComponent("memfd-luo.yaml").path, "--quiet"])
        try #require(more.status == 0, "\(more.stderr)")
        let grown = try audit(digest: file)
        #expect(grown.status == 0, "\(grown.stdout)")
        let head = try #require(grown.stdout.split(separator: "\n").last?.split(separator: " ").last?.split(separator: ":").first)
        #expect(Int(head) ?? 0 > fields["seq"] as? Int ?? .max, "nothing was recorded: \(grown.stdout)")
    }

    /// The same scenario recorded again: the same seqs, every hash new (the times differ).
    @Test func ledgerRecordedAgainIsNamed() throws {
        let file = try digest()
        let seq = try #require(try document(file)["seq"] as? Int)
        let again = try SimulatedLedger(example: "multi-generation.yaml")
        try #require(try audit(again, digest: try digest(of: again, to: "again.json")).status == 0)
        try #require(try document(directory.path("again.json"))["seq"] as? Int == seq)
        let result = try audit(again, digest: file)
        #expect(result.status == 1)
        let finding = try #require(chainBreak(result), "\(result.stdout)")
        #expect(finding.contains("operation \(seq) has hash") && finding.contains("the ledger was rewritten at or before seq \(seq)"), "\(finding)")
    }

    /// The ledger as it was, restored after more operations were recorded and digested.
    @Test func ledgerCutShortIsNamed() throws {
        let short = directory.path("short.db")
        try FileManager.default.copyItem(atPath: ledger.path, toPath: short)
        let before = try #require(try ledger.seqs().last)
        let more = try ledger.kholedger(["simulate", ToolRunner.examples.appendingPathComponent("memfd-luo.yaml").path, "--quiet"])
        try #require(more.status == 0, "\(more.stderr)")
        let file = try digest()
        let seq = try #require(try document(file)["seq"] as? Int)
        let result = try audit(SimulatedLedger(directory: directory, path: short), digest: file)
        #expect(result.status == 1)
        let finding = try #require(chainBreak(result), "\(result.stdout)")
        #expect(finding.contains("the ledger ends at seq \(before), before the kept head \(seq):"), "\(finding)")
    }

    /// OpenSSL verifies the signature of the documented message, made of the document's fields.
    @Test func signedDigestVerifies() throws {
        let keys = try OpenSSLKeyPair(in: directory.url)
        let file = try digest(["--sign", keys.privateKey])
        let fields = try document(file)
        let publicKey = try keys.publicKeyLine()
        #expect(fields["public_key"] as? String == publicKey)
        let message = "kholedger-digest/1\nseq \(fields["seq"] ?? "")\nhash \(fields["hash"] ?? "")\ntaken \(fields["taken"] ?? "")\n"
        let signature = try #require(Data(base64Encoded: fields["signature"] as? String ?? ""))
        try signature.write(to: directory.url.appendingPathComponent("signature"))
        try OpenSSLKeyPair.openssl(["pkeyutl", "-verify", "-pubin", "-inkey", keys.publicKey, "-rawin",
                                    "-in", directory.write("message", message), "-sigfile", directory.path("signature")])
        for trust in [[], ["--trust", keys.publicKey]] {
            let result = try audit(digest: file, trust)
            #expect(result.status == 0, "\(trust): \(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains(", signed by Ed25519 public key \(publicKey)\n"), "\(result.stdout)")
        }
        let text = try ledger.kholedger(["digest", "--sign", keys.privateKey])
        #expect(text.stdout.hasSuffix("\nsigned by Ed25519 public key \(publicKey)\n"), "\(text.stdout)")
    }

    /// The head moved back one operation, to a head the ledger still has:
    /// unsigned, the digest passes; signed, its signature no longer verifies.
    @Test func digestEditedAfterSigningIsRefused() throws {
        let keys = try OpenSSLKeyPair(in: directory.url)
        var fields = try document(try digest(["--sign", keys.privateKey]))
        let seq = try #require(fields["seq"] as? Int) - 1
        let hash = try ToolRunner.sqlite(ledger.path, "SELECT lower(hex(hash)) FROM op WHERE seq = \(seq)").stdout
        fields["seq"] = seq
        fields["hash"] = hash.trimmingCharacters(in: .whitespacesAndNewlines)
        let edited = directory.path("edited.json")
        try write(fields.merging(["signature": NSNull(), "public_key": NSNull()]) { $1 }, to: edited)
        #expect(try audit(digest: edited).status == 0, "the edited head is one the ledger has")
        try write(fields, to: edited)
        let line = try #require(errorLine(try audit(digest: edited), status: 2))
        #expect(line.contains("--digest \(edited): signature \(fields["signature"] ?? "") does not verify with public key \(try keys.publicKeyLine())"),
                "\(line)")
    }

    @Test func trustRefusesAnotherKeyAndNoKey() throws {
        let keys = try OpenSSLKeyPair(in: directory.url)
        let other = try OpenSSLKeyPair(in: directory.url, key: "other.pem", pub: "other.pub.pem")
        let signed = try digest(["--sign", keys.privateKey])
        let wrong = try #require(errorLine(try audit(digest: signed, ["--trust", other.publicKey]), status: 2))
        #expect(wrong.contains("signed by public key \(try keys.publicKeyLine()), not by the trusted \(try other.publicKeyLine())"), "\(wrong)")
        let unsigned = try #require(errorLine(try audit(digest: try digest(to: "unsigned.json"), ["--trust", keys.publicKey]), status: 2))
        #expect(unsigned.contains("the digest is not signed; it must be signed by public key \(try keys.publicKeyLine())"), "\(unsigned)")
    }

    /// A private key where a public one is wanted and the other way round, and an RSA key.
    @Test func keyFilesAreChecked() throws {
        let keys = try OpenSSLKeyPair(in: directory.url)
        let rsa = directory.path("rsa.pem")
        try OpenSSLKeyPair.openssl(["genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa])
        let publicToSign = try #require(errorLine(try ledger.kholedger(["digest", "--sign", keys.publicKey]), status: 1))
        #expect(publicToSign.contains("--sign \(keys.publicKey): it holds a PUBLIC KEY, not a PRIVATE KEY"), "\(publicToSign)")
        let rsaToSign = try #require(errorLine(try ledger.kholedger(["digest", "--sign", rsa]), status: 1))
        #expect(rsaToSign.contains("its PRIVATE KEY is no Ed25519 key"), "\(rsaToSign)")
        let privateToTrust = try #require(errorLine(try audit(digest: try digest(), ["--trust", keys.privateKey]), status: 2))
        #expect(privateToTrust.contains("--trust \(keys.privateKey): it holds a PRIVATE KEY, not a PUBLIC KEY"), "\(privateToTrust)")
    }

    /// Each document, in place of a good one, and what its error line names.
    static let malformed: [(String, String)] = [
        ("", "it is not JSON"),
        ("seq: 62", "it is not JSON"),
        ("[]", "the document is not an object"),
        (#"{"format":"kholedger-digest/2","seq":62,"hash":"HASH","taken":"TAKEN"}"#, #"format "kholedger-digest/2" is not kholedger-digest/1"#),
        (#"{"format":"kholedger-digest/1","seq":"62","hash":"HASH","taken":"TAKEN"}"#, #""seq" is not an integer"#),
        (#"{"format":"kholedger-digest/1","seq":0,"hash":"HASH","taken":"TAKEN"}"#, "seq 0 is not 1 or more"),
        (#"{"format":"kholedger-digest/1","seq":62,"hash":"abc","taken":"TAKEN"}"#, #"hash "abc" is not 64 hexadecimal digits"#),
        (#"{"format":"kholedger-digest/1","seq":62,"taken":"TAKEN"}"#, #"it has no "hash""#),
        (#"{"format":"kholedger-digest/1","seq":62,"hash":"HASH","taken":"yesterday"}"#, #"taken "yesterday" is not a time"#),
        (#"{"format":"kholedger-digest/1","seq":62,"hash":"HASH","taken":"TAKEN","host":"a"}"#, #"unknown field "host""#),
        (#"{"format":"kholedger-digest/1","seq":62,"hash":"HASH","taken":"TAKEN","public_key":"abc","signature":"SIG"}"#,
         #"public_key "abc" is not an Ed25519 public key"#),
        (#"{"format":"kholedger-digest/1","seq":62,"hash":"HASH","taken":"TAKEN","public_key":"KEY","signature":"!!"}"#,
         #"signature "!!" is not 64 bytes in base64"#),
        (#"{"format":"kholedger-digest/1","seq":62,"hash":"HASH","taken":"TAKEN","signature":"SIG"}"#, "it has a signature but no public_key"),
    ]

    /// HASH, TAKEN, KEY and SIG stand for a good digest's values.
    @Test(arguments: malformed)
    func malformedDigestIsOneErrorLine(content: String, named: String) throws {
        let keys = try OpenSSLKeyPair(in: directory.url)
        let good = try document(try digest(["--sign", keys.privateKey]))
        var text = content
        for (name, field) in [("HASH", "hash"), ("TAKEN", "taken"), ("KEY", "public_key"), ("SIG", "signature")] {
            text = text.replacingOccurrences(of: name, with: good[field] as? String ?? "")
        }
        let file = try directory.write("malformed.json", text)
        let line = try #require(errorLine(try audit(digest: file), status: 2), "\(content)")
        #expect(line.hasPrefix("error: audit could not run: --digest \(file): not a kholedger-digest/1 document: \(named)"), "\(line)")
    }

    @Test func digestNeedsAnIntactChainWithOperations() throws {
        _ = try ToolRunner.sqlite(ledger.path, "UPDATE op SET hash = zeroblob(32) WHERE seq = 5")
        let broken = try #require(errorLine(try ledger.kholedger(["digest"]), status: 1))
        #expect(broken.hasPrefix("error: the hash chain breaks at seq 5 ("), "\(broken)")
    }

    @Test(arguments: [["--head", "1:" + String(repeating: "0", count: 64), "--digest", "digest.json"], ["--trust", "pub.pem"]])
    func digestOptionsThatDoNotGoTogetherAreUsageErrors(options: [String]) throws {
        let result = try ledger.kholedger(["audit", "--chain"] + options)
        #expect(result.status == 64)
        #expect(result.stderr.contains(options.contains("--head") ? "--head and --digest" : "--trust names the key"), "\(result.stderr)")
    }
}
