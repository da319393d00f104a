import Foundation

/// Integers as scenario files write them: decimal or `0x` hexadecimal, with
/// optional `_` separators (`4096`, `0x1_0000_0000`).
enum ScenarioNumber {
    /// The value, or nil when `text` is not such an integer or overflows 64 bits.
    static func parse(_ text: some StringProtocol) -> UInt64? {
        let digits = text.replacingOccurrences(of: "_", with: "")
        let lower = digits.lowercased()
        if lower.hasPrefix("0x") {
            let hexDigits = lower.dropFirst(2)
            return hexDigits.isEmpty ? nil : UInt64(hexDigits, radix: 16)
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII) else { return nil }
        return UInt64(digits)
    }
}
