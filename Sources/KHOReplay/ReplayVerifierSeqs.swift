/// The two seq numberings of a replay: the replay's op n (from 1) is the
/// n-th recorded op of the lineage.
struct ReplayVerifierSeqs {
    /// The recorded seq of each op the replay made, in order.
    let recorded: [Int64]
    /// True when the replay stopped before the recorded log ended: recorded
    /// seqs after its last op cannot appear in the replay.
    let stoppedEarly: Bool

    /// A seq of the replay in the recorded numbering (past the end: counted on from the last).
    func recorded(replayed seq: Int64) -> Int64 {
        let index = Int(seq) - 1
        return index < recorded.count ? recorded[index] : (recorded.last ?? 0) + Int64(index - recorded.count + 1)
    }

    /// A recorded seq as the replay can know it: nil past where a replay that stopped early got to.
    func asReplayed(recorded seq: Int64) -> Int64? {
        guard stoppedEarly, let last = recorded.last else { return seq }
        return seq > last ? nil : seq
    }
}
