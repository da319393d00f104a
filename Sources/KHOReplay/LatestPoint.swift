import KHOLedger

extension PointInTime {
    /// The seq of `ledger`'s last operation: the point a command uses when
    /// none is given.
    public static func latest(in ledger: Ledger) throws(ReplayError) -> Int64 {
        try ledger.asOfRead { snapshot in
            guard let last = try OpSeqs.last(snapshot) else { throw ReplayError.emptyLedger }
            return last
        }
    }
}
