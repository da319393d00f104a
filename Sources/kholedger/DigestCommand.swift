import ArgumentParser
import Foundation
import KHOImage
import KHOLedger

/// `kholedger digest`: the ledger's head as a digest to keep off the host,
/// optionally signed with Ed25519 (``LedgerDigest``).
struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the ledger's head as a digest to keep off the host, optionally signed with Ed25519.",
        discussion: """
            A digest is the ledger's head, its last operation's seq and hash (the \
            "head: SEQ:HASH" line of `kholedger audit --chain`), with the time it was \
            taken. Keep it somewhere else: `kholedger audit --chain --digest FILE` later \
            proves that the ledger still reaches that head. A ledger rewritten from \
            scratch, or cut short, has an intact chain of its own; only a head kept \
            elsewhere tells it from the ledger that was. A digest is only issued for a \
            ledger with operations whose hash chain verifies; otherwise the error names \
            the first seq that breaks it.

            --sign KEY signs it with an Ed25519 private key, a PEM file as OpenSSL \
            writes it; `audit --trust` takes the public key's PEM:
              openssl genpkey -algorithm ed25519 -out key.pem
              openssl pkey -in key.pem -pubout -out pub.pem

            The digest document (--format json, and the file --output writes) is \
            {"format": "kholedger-digest/1", "seq", "hash", "taken", "public_key", \
            "signature"}: the hash in hexadecimal, taken in UTC to the millisecond, \
            the signature (64 bytes) and public key in base64, both null when the \
            digest is not signed. The public key is the base64 line of its PEM \
            file. The signature covers these four lines, each ending in a line \
            feed, as kholedger writes the values (the hash in lowercase):
              kholedger-digest/1
              seq SEQ
              hash HASH
              taken TAKEN

            Text output: the head ("head: SEQ:HASH"), the time taken, and the \
            public key that signed it, or "not signed"; with --output -, the \
            document goes to standard output and this to standard error.

            Exit status: 0 the digest was printed, 1 no digest (no ledger, no \
            operations, a broken chain, a key file with no Ed25519 private key, an \
            --output that cannot be written), 64 the command line was rejected.

            Examples:
              kholedger digest
              kholedger digest --output head.json
              kholedger digest --sign key.pem --format json
            """
    )

    @OptionGroup var ledger: LedgerOptions

    @Option(name: .long, help: ArgumentHelp("Sign the digest with this Ed25519 private key (a PEM file).", valueName: "key"))
    var sign: String?

    @Option(name: .long, help: ArgumentHelp("Also write the digest document (JSON) to this file.", valueName: "path"))
    var output: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let stream = try exitOnError { try SummaryStream(besides: [output]) }
        let digest = try exitOnError { () throws -> LedgerDigest in
            let key = try sign.map { try keyFile($0, option: "--sign", DigestSigningKey.init(pem:)) }
            let digest = try LedgerDigest(of: ledger.openForReading(), taken: LedgerTime(Date()))
            return try key.map(digest.signed(with:)) ?? digest
        }
        let document = try JSONOutput.string(digest)
        if let output {
            try exitOnError {
                let file = try OutputFile(path: output)
                try file.append(Array((document + "\n").utf8))
                try file.commit()
            }
        }
        switch format {
        case .json: stream.print(document)
        case .text: stream.print("head: \(digest.head)\ntaken: \(digest.taken)\n\(digest.signing)")
        }
    }
}
