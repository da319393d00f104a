import Foundation

/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN`: values
/// separated by tabs, rows ended by a newline, NULL as `\N`, and in text a
/// backslash, tab, newline or carriage return escaped with a backslash.
/// The bytes go to `send` in pieces of about ``pieceBytes``.
struct CopyText {
    /// About how many bytes are sent at once.
    static let pieceBytes = 1 << 20

    private var buffer: [UInt8] = []
    private var atRowStart = true
    private let send: ([UInt8]) throws(FleetError) -> Void

    init(send: @escaping ([UInt8]) throws(FleetError) -> Void) {
        self.send = send
        buffer.reserveCapacity(Self.pieceBytes + 4096)
    }

    private mutating func separate() {
        if !atRowStart { buffer.append(UInt8(ascii: "\t")) }
        atRowStart = false
    }

    /// A NULL.
    mutating func null() {
        separate()
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
    }

    /// An integer (nil: NULL).
    mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        separate()
        buffer.append(contentsOf: String(value).utf8)
    }

    /// A text (nil: NULL), escaped.
    mutating func text(_ value: String?) {
        guard let value else { return null() }
        separate()
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: buffer.append(byte)
            }
        }
    }

    /// Bytes for a `bytea` column (nil: NULL), as `\\x` and hex digits.
    mutating func bytes(_ value: Data?) {
        guard let value else { return null() }
        separate()
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        let digits = Array("0123456789abcdef".utf8)
        for byte in value {
            buffer.append(digits[Int(byte >> 4)])
            buffer.append(digits[Int(byte & 15)])
        }
    }

    /// Ends the row; sends the buffer once it holds a piece.
    mutating func endRow() throws(FleetError) {
        buffer.append(UInt8(ascii: "\n"))
        atRowStart = true
        if buffer.count >= Self.pieceBytes { try flush() }
    }

    /// Sends what is buffered.
    mutating func flush() throws(FleetError) {
        guard !buffer.isEmpty else { return }
        try send(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
