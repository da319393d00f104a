import KHOLedger

extension AsOfState {
    /// The owner of each of `addresses` as of this state's point (an
    /// address nothing the ledger knows holds is left out). One indexed
    /// query per address over this generation's rows valid at the point.
    public func owners(of addresses: [UInt64], in ledger: Ledger) throws(ReplayError) -> [UInt64: PageOwner] {
        try ledger.asOfRead { snapshot in
            var owners: [UInt64: PageOwner] = [:]
            for address in addresses {
                if let owner = try PageOwner.fetchOne(snapshot, page: address, generation: generation, seq: seq, pageSize: geometry.pageSize) {
                    owners[address] = owner
                }
            }
            return owners
        }
    }
}
