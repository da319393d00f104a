import KHOLedger

/// One point of a ``GenerationDiff``: the ledger snapshot it is read from,
/// its state, and how its `page_data` ids translate into the first point's
/// ledger (the identity when both points are in one ledger).
struct DiffSide {
    let snapshot: LedgerSnapshot
    let state: AsOfState
    /// The id of equal content in the first point's ledger.
    let contentID: (Int64) throws -> Int64

    /// A side read from `snapshot`; `contentID` translates its data ids (by
    /// default they need no translation).
    init(_ snapshot: LedgerSnapshot, _ state: AsOfState, contentID: @escaping (Int64) throws -> Int64 = { $0 }) {
        self.snapshot = snapshot
        self.state = state
        self.contentID = contentID
    }

    /// The translated data id of every non-zero page of `ranges` at this
    /// side's point (possibly of more pages, see
    /// ``PageContents/ids(_:lineage:ranges:seq:)``).
    func contentIDs(_ ranges: [Range<UInt64>]) throws(LedgerError) -> [UInt64: Int64] {
        try reading { snapshot in try PageContents.ids(snapshot, lineage: state.lineage, ranges: ranges, seq: state.seq).mapValues(contentID) }
    }

    /// Runs `body` with this side's snapshot. The two sides of a diff of
    /// two ledgers are read together: an error is a ``LedgerError`` naming
    /// this side's ledger (``LedgerError/init(reading:at:)``).
    func reading<T>(_ body: (LedgerSnapshot) throws -> T) throws(LedgerError) -> T {
        do {
            return try body(snapshot)
        } catch {
            throw LedgerError(reading: error, at: snapshot.path)
        }
    }
}
