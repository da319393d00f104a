import KHOABI

/// Parses a physical address given on the command line: `0x…` hexadecimal
/// or decimal, with optional `_` separators (`0x1_0000_0000`).
func parseAddress(_ text: String, option: String) throws(InputError) -> UInt64 {
    let digits = text.lowercased().replacingOccurrences(of: "_", with: "")
    let value = digits.hasPrefix("0x") ? UInt64(digits.dropFirst(2), radix: 16) : UInt64(digits)
    guard let value else {
        throw InputError("\(option) \(text.debugDescription) is not an address: use 0x… hexadecimal or decimal")
    }
    return value
}
