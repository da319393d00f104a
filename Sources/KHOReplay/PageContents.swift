import GRDB

/// The content of physical pages as of a seq, from `page_content`: the
/// `page_data` id of each page (page data is content-addressed, so equal ids
/// mean equal bytes; a page without an interval is zero).
enum PageContents {
    /// The data id of every non-zero page in `[start, end)` of `lineage` at
    /// `seq`, by physical address: one range scan of the primary key.
    static func ids(_ db: Database, lineage: Int64, start: UInt64, end: UInt64, seq: Int64) throws -> [UInt64: Int64] {
        var ids: [UInt64: Int64] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT phys, data_id FROM page_content
            WHERE lineage = ? AND phys >= ? AND phys < ? AND from_seq <= ? AND (to_seq IS NULL OR to_seq > ?)
            """), arguments: [lineage, Int64(bitPattern: start), Int64(bitPattern: end), seq, seq])
        while let row = try rows.next() { ids[UInt64(bitPattern: row[0])] = row[1] }
        return ids
    }
}
