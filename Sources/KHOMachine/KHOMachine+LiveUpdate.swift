import KHOABI

extension KHOMachine {
    /// `luo_early_startup`: the `liveupdate-number` of the incoming `LUO`
    /// FDT (luo-v1), read at boot before anything can reuse its page; nil
    /// when none was handed over or it cannot be read.
    func incomingLiveUpdateNumber() -> UInt64? {
        guard let luo = try? incoming?.retrieve(LUOFDT.subtreeName),
              let tree = try? readFDT(at: luo.phys, "incoming LUO FDT") else { return nil }
        return (try? LUOFDT(tree: tree))?.liveupdateNumber
    }
}
