import Foundation

/// Wall-clock timestamps of ops: ISO-8601 UTC with milliseconds, which sort
/// as text in time order.
enum LedgerTime {
    static func now() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
