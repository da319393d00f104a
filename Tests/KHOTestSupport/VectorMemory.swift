import Crypto
import Foundation
import KHOABI
import KHOImage

extension ReferenceVector {
    /// The vector's page geometry, from expected.json.
    public func geometry() throws -> PageGeometry {
        guard let size = try expected()["page_size"] as? Int else {
            throw FixtureError("\(name)/expected.json has no page_size")
        }
        return try PageGeometry(pageSize: size)
    }

    /// memory.elf, opened with the project's ELF core reader.
    public func memory() throws -> ElfCoreImage {
        try ElfCoreImage(path: directory.appendingPathComponent("memory.elf").path)
    }

    /// The block lines of walk.txt (`0x<phys> <order>`).
    public func walkBlockLines() throws -> [String] {
        try walkLines().filter { !$0.hasPrefix("subtree ") }
    }

    /// The `subtree <name> 0x<phys> <size>` lines of walk.txt.
    public func walkSubtreeLines() throws -> [String] {
        try walkLines().filter { $0.hasPrefix("subtree ") }
    }

    private func walkLines() throws -> [String] {
        String(decoding: try data("walk.txt"), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// The `areas` array of expected.json.
    public func areas() throws -> [[String: Any]] {
        guard let areas = try expected()["areas"] as? [[String: Any]] else {
            throw FixtureError("\(name)/expected.json has no areas")
        }
        return areas
    }
}

extension PhysicalMemoryImage {
    /// A ``MemoryReader`` over this image.
    public var reader: MemoryReader { { phys, count in try self.read(phys: phys, count: count) } }
}

/// The SHA-256 of `bytes`: what a ledger stores page bytes under.
public func sha256(_ bytes: some DataProtocol) -> Data {
    Data(SHA256.hash(data: bytes))
}

/// Lowercase hex SHA-256 of `bytes`.
public func sha256Hex(_ bytes: some DataProtocol) -> String {
    sha256(bytes).map { String(format: "%02x", $0) }.joined()
}
