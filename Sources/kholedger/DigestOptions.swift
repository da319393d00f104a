import ArgumentParser
import Foundation
import KHOLedger

/// `--digest FILE` and `--trust PUBKEY` of `kholedger audit`: a digest from
/// `kholedger digest` whose head the ledger must still reach, and the key
/// that must have signed it.
struct DigestOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A digest from `kholedger digest` whose head the ledger must still reach.",
                                            valueName: "file"))
    var digest: String?

    @Option(name: .long, help: ArgumentHelp("The --digest must be signed by this Ed25519 public key (a PEM file).",
                                            valueName: "pubkey"))
    var trust: String?

    func validate() throws {
        if trust != nil, digest == nil {
            throw ValidationError("--trust names the key a --digest must be signed by: give --digest FILE too")
        }
    }

    /// The --digest read and its signature verified (by the --trust key,
    /// when given); nil without --digest.
    func verified() throws -> LedgerDigest? {
        guard let digest else { return nil }
        let trusted = try trust.map { try keyFile($0, option: "--trust", DigestPublicKey.init(pem:)) }
        let bytes = try inputFileBytes(digest, option: "--digest")
        do {
            let kept = try LedgerDigest(json: Data(bytes))
            try kept.verify(trusting: trusted)
            return kept
        } catch {
            throw InputError("--digest \(digest): \(error)")
        }
    }
}
