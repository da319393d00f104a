import Foundation

/// Short, rounded byte counts for chart labels (`4.1 MiB`); tables print
/// exact counts.
enum ByteLabel {
    static func short(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes, unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let digits = value >= 100 || value == value.rounded() ? "%.0f" : "%.1f"
        return String(format: digits, value) + " " + units[unit]
    }
}
