import Foundation

/// Timestamps of event lines: ISO-8601 with a `Z` or numeric offset and
/// any number of fraction digits, e.g. `2026-11-25T10:42:00.123456Z` or
/// `2026-11-25T11:42:00.5+01:00` (bpftrace's `strftime` with `%f%z` gives
/// `+0100`, also accepted).
enum StreamTime {
    /// The instant `text` names, or nil when it is not such a timestamp.
    static func parse(_ text: String) -> Date? {
        let pattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):?(\d{2}))$/
        guard let match = text.wholeMatch(of: pattern) else { return nil }
        let out = match.output
        guard let year = Int(out.1), let month = Int(out.2), let day = Int(out.3),
              let hour = Int(out.4), let minute = Int(out.5), let second = Int(out.6),
              (1 ... 12).contains(month), (1 ... 31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day else { return nil }
        var offset = 0
        if let sign = out.9, let hours = out.10.flatMap({ Int($0) }), let minutes = out.11.flatMap({ Int($0) }) {
            guard hours < 24, minutes < 60 else { return nil }
            offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        }
        let fraction = out.7.map { Double("0." + $0) ?? 0 } ?? 0
        return date.addingTimeInterval(fraction - Double(offset))
    }
}
