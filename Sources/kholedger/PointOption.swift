import ArgumentParser
import KHOLedger
import KHOReplay

/// `--at POINT`, shared by every command that answers "as of when".
///
/// The syntax is ``PointInTime``'s: `SEQ`, `gen:G`, `gen:G+K` or an ISO-8601
/// time.
struct PointOption: ParsableArguments {
    /// What a command uses when `--at` is not given.
    enum Default {
        /// The ledger's last operation.
        case lastOperation
    }

    @Option(name: .long, help: ArgumentHelp(
        "The point in time: SEQ (right after that operation), gen:G (generation G's handover), gen:G+K (K operations into G) or an ISO-8601 time.",
        valueName: "point"))
    var at: String?

    /// The seq `--at` names in `ledger`; without `--at`, the one `fallback`
    /// stands for. Throws a ``ReplayError`` for a point that does not parse
    /// or lies outside the ledger.
    func resolve(in ledger: Ledger, default fallback: Default) throws(ReplayError) -> Int64 {
        if let at { return try PointInTime(parsing: at).resolve(in: ledger) }
        switch fallback {
        case .lastOperation: return try PointInTime.latest(in: ledger)
        }
    }
}
