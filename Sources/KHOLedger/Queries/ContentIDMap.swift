import Foundation
import GRDB

/// Page-data ids of one ledger as the ids of equal content in another:
/// looked up by SHA-256 through each ledger's unique hash index, once per
/// id. Content the other ledger lacks gets the negated id, which no
/// `page_data` row has, so it equals nothing there.
public final class ContentIDMap {
    private let source: LedgerSnapshot
    private let target: LedgerSnapshot
    private var known: [Int64: Int64] = [:]

    /// Maps the ids of `source` to those of `target`.
    public init(source: LedgerSnapshot, target: LedgerSnapshot) {
        self.source = source
        self.target = target
    }

    /// The id in the target ledger of the content `sourceID` has in the
    /// source. The two ledgers are read together: an error is a
    /// ``LedgerError`` naming the ledger that raised it.
    public func id(_ sourceID: Int64) throws(LedgerError) -> Int64 {
        if let id = known[sourceID] { return id }
        let hash = try Self.reading(source) {
            try Data.fetchOne($0.cachedStatement(sql: "SELECT hash FROM page_data WHERE id = ?"), arguments: [sourceID])
        }
        let id = try hash.flatMap { hash throws(LedgerError) in
            try Self.reading(target) { try Int64.fetchOne($0.cachedStatement(sql: "SELECT id FROM page_data WHERE hash = ?"), arguments: [hash]) }
        }
        known[sourceID] = id ?? -sourceID
        return id ?? -sourceID
    }

    /// Runs `body` on `snapshot`'s connection; an error is a ``LedgerError`` naming its ledger.
    private static func reading<T>(_ snapshot: LedgerSnapshot, _ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try body(snapshot.db)
        } catch {
            throw LedgerError(reading: error, at: snapshot.path)
        }
    }
}
