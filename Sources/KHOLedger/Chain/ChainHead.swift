import Foundation
import GRDB
import KHOABI

/// A ledger's last operation as its hash chain stands: its seq and hash.
/// `kholedger audit --chain` prints it as `SEQ:HASH`; a user who keeps it
/// can later check that the ledger still reaches that op with that hash
/// (``ChainVerifier/departure(from:)``): the chain alone cannot tell a
/// ledger whose last operations were deleted, or that was rewritten and
/// re-hashed, from an intact one.
public struct ChainHead: Equatable, Sendable, LosslessStringConvertible {
    public var seq: Int64
    /// SHA-256, 32 bytes.
    public var hash: Data

    public init(seq: Int64, hash: Data) {
        self.seq = seq
        self.hash = hash
    }

    /// `SEQ:HASH`, the hash in lowercase hexadecimal.
    public var description: String { "\(seq):\(hexDigits(hash))" }
}

extension ChainHead {
    /// Parses `SEQ:HASH`: a seq of 1 or more and 64 hexadecimal digits.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int64(parts[0]), seq >= 1, parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit) else {
            return nil
        }
        var hash = Data()
        var digits = parts[1].makeIterator()
        while let high = digits.next(), let low = digits.next() {
            guard let byte = UInt8(String([high, low]), radix: 16) else { return nil }
            hash.append(byte)
        }
        self.init(seq: seq, hash: hash)
    }
}

extension Ledger {
    /// The last operation's seq and stored hash (nil for a ledger without
    /// operations). ``ChainVerifier/verify()`` says whether the chain reaches it.
    public func head() throws(LedgerError) -> ChainHead? {
        try reading { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash FROM op ORDER BY seq DESC LIMIT 1").map {
                let op = LedgerRow($0, table: "op", key: "seq")
                return ChainHead(seq: try op.integer("seq"), hash: try op.blob("hash"))
            }
        }
    }
}

extension Ledger {
    /// The stored hashes of the ops after seq `after`, up to `limit` of
    /// them, in seq order.
    public func storedHashes(after: Int64, limit: Int) throws(LedgerError) -> [ChainHead] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT seq, hash FROM op WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [after, limit]).map {
                let op = LedgerRow($0, table: "op", key: "seq")
                return ChainHead(seq: try op.integer("seq"), hash: try op.blob("hash"))
            }
        }
    }
}
