import ArgumentParser
import KHOLedger
import KHOReplay

/// `--at POINT`, shared by every command that answers "as of when".
///
/// The syntax is ``PointInTime``'s: `SEQ`, `gen:G`, `gen:G+K` or a time.
struct PointOption: ParsableArguments {
    /// What a command uses when `--at` is not given.
    enum Default {
        /// The ledger's last operation.
        case lastOperation
    }

    @Option(name: .long, help: ArgumentHelp(
        "The point in time: SEQ (right after that operation), gen:G (generation G's handover; its last operation if it never handed over), gen:G+K (K operations into G) or a time (the last operation at or before it, to the millisecond: 2026-11-25T10:42:00.123Z, an offset such as +02:00, '2026-11-25 10:42:00' in UTC, or a date alone for its start).",
        valueName: "point"))
    var at: String?

    /// The point `--at` names in `ledger`; without `--at`, the one
    /// `fallback` stands for. Throws a ``ReplayError`` for a point that does
    /// not parse or lies outside the ledger.
    func resolve(in ledger: Ledger, default fallback: Default) throws(ReplayError) -> ResolvedPoint {
        if let at { return try PointInTime(parsing: at).resolve(in: ledger) }
        switch fallback {
        case .lastOperation: return ResolvedPoint(seq: try PointInTime.latest(in: ledger))
        }
    }
}
