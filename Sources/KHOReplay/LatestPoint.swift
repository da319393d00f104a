import GRDB
import KHOLedger

extension PointInTime {
    /// The seq of `ledger`'s last operation: the point a command uses when
    /// none is given.
    public static func latest(in ledger: Ledger) throws(ReplayError) -> Int64 {
        try ledger.asOfRead { db in
            guard let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM op") else { throw ReplayError.emptyLedger }
            return last
        }
    }
}
