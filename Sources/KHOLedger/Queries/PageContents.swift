import GRDB

/// The content of physical pages as of a seq, from `page_content`: the
/// `page_data` id of each page (page data is content-addressed, so equal ids
/// mean equal bytes; a page without an interval is zero).
public enum PageContents {
    /// Above this many ranges, one scan of their whole span is cheaper than
    /// a seek per range.
    public static let spanScanThreshold = 64

    /// The data id of every non-zero page in `[start, end)` of `lineage` at
    /// `seq`, by physical address: one range scan of the primary key.
    public static func ids(_ snapshot: LedgerSnapshot, lineage: Int64, start: UInt64, end: UInt64, seq: Int64) throws -> [UInt64: Int64] {
        var ids: [UInt64: Int64] = [:]
        try snapshot.db.cachedStatement(sql: """
            SELECT lineage, phys, from_seq, data_id FROM page_content
            WHERE lineage = ? AND phys >= ? AND phys < ? AND from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)
            """).forEachRow(integers: [lineage, Int64(bitPattern: start), Int64(bitPattern: end), seq, seq]) { columns in
            let row = LedgerRow(columns, table: "page_content", key: "lineage, phys, from_seq")
            ids[try row.address(1)] = try row.integer(3)   // by position: one row per page
        }
        return ids
    }

    /// The data ids of the non-zero pages of several ranges: a scan per
    /// range, or, for many scattered ranges, one scan from the lowest start
    /// to the highest end (the result may then hold pages outside the ranges).
    public static func ids(_ snapshot: LedgerSnapshot, lineage: Int64, ranges: [Range<UInt64>], seq: Int64) throws -> [UInt64: Int64] {
        guard ranges.count > spanScanThreshold, let low = ranges.map(\.lowerBound).min(),
              let high = ranges.map(\.upperBound).max() else {
            return try ranges.reduce(into: [:]) { ids, range in
                ids.merge(try Self.ids(snapshot, lineage: lineage, start: range.lowerBound, end: range.upperBound, seq: seq)) { $1 }
            }
        }
        return try ids(snapshot, lineage: lineage, start: low, end: high, seq: seq)
    }
}
