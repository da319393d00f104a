import Foundation

/// Wall-clock timestamps of ops: ISO-8601 UTC with milliseconds, which sort
/// as text in time order.
public enum LedgerTime {
    static func now() -> String { format(Date()) }

    /// `date` in the ledger's format, e.g. `2026-11-25T10:42:00.123Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
