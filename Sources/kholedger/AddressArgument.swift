import KHOABI
import KHOReplay

/// Parses a physical address given on the command line: `0x…` hexadecimal
/// or decimal, with optional `_` separators (`0x1_0000_0000`).
func parseAddress(_ text: String, option: String) throws(InputError) -> UInt64 {
    let digits = text.lowercased().replacingOccurrences(of: "_", with: "")
    let value = parseHexOrDecimal(digits)
    guard let value else {
        throw InputError("\(option) \(text.debugDescription) is not an address: use 0x… hexadecimal or decimal")
    }
    return value
}

/// Parses a page given on the command line: an address inside it (as
/// ``parseAddress(_:option:)`` reads it) or `pfn:N`, its page frame number
/// (decimal or `0x…`).
func parsePage(_ text: String, argument: String) throws(InputError) -> PageAddress {
    guard text.lowercased().hasPrefix("pfn:") else { return .address(try parseAddress(text, option: argument)) }
    let frame = String(text.dropFirst(4))
    do {
        return .frame(try parseAddress(frame, option: argument))
    } catch {
        throw InputError("\(argument) \(text.debugDescription) is not a page frame number: use pfn:N with N decimal or 0x… hexadecimal")
    }
}
