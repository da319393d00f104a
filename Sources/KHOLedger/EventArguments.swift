import Foundation
import KHOMachine

extension MachineEvent {
    /// The value of argument `name`, if present.
    public func argument(_ name: String) -> Value? { arguments.first { $0.name == name }?.value }

    /// Argument `name`'s address or count.
    public func integerArgument(_ name: String) -> UInt64? { argument(name)?.integer }

    /// The call's arguments (warnings and errors excluded) as a JSON object,
    /// in call order: counts of fewer than 19 digits are numbers, everything
    /// else strings (`"0x…"` addresses, `"true"`, `"-"`, text).
    var argumentsJSON: String {
        let fields = arguments.filter { !Self.detailNames.contains($0.name) }.map { name, value in
            let text = value.description
            let encoded: String
            if case .number = value, text.count < 19 { encoded = text } else { encoded = jsonString(text) }
            return "\(jsonString(name)):\(encoded)"
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Warnings and error reasons, joined, or nil.
    var detail: String? {
        var parts = arguments.filter { Self.detailNames.contains($0.name) }.map { "\($0.name): \($0.value)" }
        if case .null(let reason) = outcome { parts.insert(reason, at: 0) }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    private static let detailNames: Set<String> = ["warning", "error"]

    /// `ok`, `-EINVAL`, `NULL`.
    var resultText: String {
        switch outcome {
        case .ok: return "ok"
        case .errno(let errno): return "-\(errno.name)"
        case .null: return "NULL"
        }
    }
}

/// `text` as a quoted JSON string literal (RFC 8259 escapes).
public func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case let s where s.value < 0x20: out += String(format: "\\u%04x", s.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
