import Foundation
import GRDB

/// One point of a ``GenerationDiff``: the database it is read from, its
/// state, and how its `page_data` ids translate into the first point's
/// ledger (the identity when both points are in one ledger).
struct DiffSide {
    let db: Database
    let state: AsOfState
    /// The id of equal content in the first point's ledger.
    let contentID: (Int64) throws -> Int64

    /// A side read from `db`; `contentID` translates its data ids (by
    /// default they need no translation).
    init(_ db: Database, _ state: AsOfState, contentID: @escaping (Int64) throws -> Int64 = { $0 }) {
        self.db = db
        self.state = state
        self.contentID = contentID
    }

    /// The translated data id of every non-zero page of `ranges` at this
    /// side's point (possibly of more pages, see
    /// ``PageContents/ids(_:lineage:ranges:seq:)``).
    func contentIDs(_ ranges: [Range<UInt64>]) throws -> [UInt64: Int64] {
        try PageContents.ids(db, lineage: state.lineage, ranges: ranges, seq: state.seq).mapValues(contentID)
    }
}

/// Page-data ids of one ledger as the ids of equal content in another:
/// looked up by SHA-256 through each ledger's unique hash index, once per
/// id. Content the other ledger lacks gets the negated id, which no
/// `page_data` row has, so it equals nothing there.
final class ContentIDMap {
    private let source: Database
    private let target: Database
    private var known: [Int64: Int64] = [:]

    init(source: Database, target: Database) {
        self.source = source
        self.target = target
    }

    func id(_ sourceID: Int64) throws -> Int64 {
        if let id = known[sourceID] { return id }
        let hash = try Data.fetchOne(source.cachedStatement(sql: "SELECT hash FROM page_data WHERE id = ?"), arguments: [sourceID])
        let id = try hash.flatMap { try Int64.fetchOne(target.cachedStatement(sql: "SELECT id FROM page_data WHERE hash = ?"), arguments: [$0]) }
        known[sourceID] = id ?? -sourceID
        return id ?? -sourceID
    }
}
