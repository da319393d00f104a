/// Bytes as hexadecimal digits, two per byte.
enum HexBytes {
    /// Parses an even number of hex digits; nil otherwise.
    static func parse(_ text: some StringProtocol) -> [UInt8]? {
        let characters = Array(text)
        guard characters.count % 2 == 0, characters.allSatisfy(\.isHexDigit) else { return nil }
        return stride(from: 0, to: characters.count, by: 2).map { UInt8(String(characters[$0...$0 + 1]), radix: 16)! }
    }

    /// Lowercase digits, two per byte.
    static func format(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
