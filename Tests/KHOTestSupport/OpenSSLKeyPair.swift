import Foundation

/// An Ed25519 key pair made the way a user makes one for `kholedger digest
/// --sign` and `audit --trust`: `openssl genpkey -algorithm ed25519 -out
/// KEY`, then `openssl pkey -in KEY -pubout -out PUB`.
public struct OpenSSLKeyPair: Sendable {
    /// The private key's PEM file.
    public let privateKey: String
    /// The public key's PEM file.
    public let publicKey: String

    /// Makes the two files `key` and `pub` in `directory`.
    public init(in directory: URL, key: String = "key.pem", pub: String = "pub.pem") throws {
        privateKey = directory.appendingPathComponent(key).path
        publicKey = directory.appendingPathComponent(pub).path
        try Self.openssl(["genpkey", "-algorithm", "ed25519", "-out", privateKey])
        try Self.openssl(["pkey", "-in", privateKey, "-pubout", "-out", publicKey])
    }

    /// The public key as kholedger prints it: the base64 line of its PEM.
    public func publicKeyLine() throws -> String {
        let lines = try String(contentsOfFile: publicKey, encoding: .utf8).split(separator: "\n")
        guard lines.count == 3 else { throw FixtureError("\(publicKey): \(lines.count) lines") }
        return String(lines[1])
    }

    /// Runs `openssl arguments…`.
    @discardableResult
    public static func openssl(_ arguments: [String], stdin: Data? = nil) throws -> ToolResult {
        let result = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["openssl"] + arguments, stdin: stdin)
        guard result.status == 0 else { throw FixtureError("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result
    }
}
