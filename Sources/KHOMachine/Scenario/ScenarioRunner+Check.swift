import Crypto
import KHOABI

extension ScenarioRunner {
    /// Reads the checked range, asserts it and records its digest.
    func runCheck(_ check: ScenarioCheck, on m: KHOMachine) throws -> [ScenarioFact] {
        let offset = try Self.int(check.offset, "offset")
        let bytes: [UInt8]
        switch check.target {
        case .area(let name):
            let length = try check.length.map { value throws(StepFault) in try Self.int(value, "length") }
            bytes = try m.read(area: name, offset: offset, count: length)
        case .file(let name):
            guard let file = files[name] else {
                throw StepFault("no restored file \"\(name)\" in this generation (memfd_restore as: \(name) makes one)")
            }
            let length = try check.length.map { value throws(StepFault) in try Self.int(value, "length") } ?? file.count - offset
            guard offset <= file.count, length >= 0, length <= file.count - offset else {
                throw StepFault("range \(offset) + \(length) lies outside file \"\(name)\" of \(file.count) bytes")
            }
            bytes = Array(file[offset..<offset + length])
        case .memory(let address):
            let (phys, symbol) = try symbols.resolve(address)
            guard let length = check.length ?? symbol?.bytes(m.geometry).map({ $0 - min($0, check.offset) }) else {
                throw StepFault("length: is needed: \(address) is not a name with a known size")
            }
            bytes = try m.memory.read(phys &+ check.offset, count: try Self.int(length, "length"))
        }
        var expectedDigest: String?
        switch check.assertion {
        case .sha256(let expected): expectedDigest = expected
        case .bytes(let wanted) where bytes != wanted:
            throw StepFault("expected \(Self.show(wanted)) at offset \(offset), found \(Self.show(bytes))")
        case .zero:
            if let index = bytes.firstIndex(where: { $0 != 0 }) {
                throw StepFault("byte at offset \(offset + index) is \(hex(bytes[index])), not zero")
            }
        case .bytes, nil: break
        }
        let digest = try verify(bytes, sha256: expectedDigest, record: check.record)
        return [.bytes("length", UInt64(bytes.count)), .text("sha256", HexBytes.format(digest))]
    }

    /// Compares the digest of `bytes` with `sha256` (64 hex digits or a
    /// recorded name), records it under `record`, and returns it.
    @discardableResult
    func verify(_ bytes: [UInt8], sha256 expected: String?, record: String?) throws(StepFault) -> [UInt8] {
        try verify(digest: Array(SHA256.hash(data: bytes)), sha256: expected, record: record)
    }

    /// ``verify(_:sha256:record:)`` of bytes already hashed.
    func verify(digest: [UInt8], sha256 expected: String?, record: String?) throws(StepFault) -> [UInt8] {
        if let expected {
            let wanted: [UInt8]
            if let recorded = digests[expected] {
                wanted = recorded
            } else if expected.count == 64, let literal = HexBytes.parse(expected) {
                wanted = literal
            } else {
                throw StepFault("sha256: \"\(expected)\" is neither 64 hex digits nor a recorded digest name")
            }
            guard digest == wanted else {
                throw StepFault("sha256 mismatch: expected \(HexBytes.format(wanted)), found \(HexBytes.format(digest))")
            }
        }
        if let record { digests[record] = digest }
        return digest
    }

    /// Up to 32 bytes, as quoted text when printable, else as hex.
    private static func show(_ bytes: [UInt8]) -> String {
        let head = Array(bytes.prefix(32))
        let more = bytes.count > head.count ? "…" : ""
        if head.allSatisfy({ (0x20..<0x7f).contains($0) }) {
            return "\"\(String(decoding: head, as: UTF8.self))\(more)\""
        }
        return HexBytes.format(head) + more
    }
}
