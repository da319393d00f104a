import Foundation

/// One folder of `<package root>/../shared/vectors/`: an emulated handover
/// made by an independent implementation of the KHO ABI.
///
/// `KHO_VECTORS` in the environment points the tests at another folder (for
/// example a corrupted copy, to see them fail).
public struct ReferenceVector: CustomStringConvertible, Sendable {
    /// Folder name, e.g. `k4-s7`.
    public let name: String
    public let directory: URL

    public var description: String { name }

    /// Path of a file in the folder.
    public func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    /// The bytes of a file in the folder.
    public func data(_ file: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(file))
    }

    /// The bytes of a file in the folder.
    public func bytes(_ file: String) throws -> [UInt8] { [UInt8](try data(file)) }

    /// `expected.json`, decoded loosely.
    public func expected() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data("expected.json")) as? [String: Any] else {
            throw FixtureError("\(name)/expected.json is not a JSON object")
        }
        return object
    }

    /// A `"0x…"` address or plain integer field of `expected.json`.
    public func expectedNumber(_ key: String) throws -> UInt64 {
        let value = try expected()[key]
        if let number = parseHex(value) { return number }
        if let number = value as? Int, number >= 0 { return UInt64(number) }
        throw FixtureError("\(name)/expected.json: \(key) is missing or not a number")
    }

    /// The vectors folder: `$KHO_VECTORS`, or `<package root>/../shared/vectors`.
    public static var root: URL {
        if let override = ProcessInfo.processInfo.environment["KHO_VECTORS"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        // This file is <package root>/Tests/KHOTestSupport/ReferenceVector.swift.
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors")
    }

    /// The package root.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every vector folder (one holding `expected.json`), sorted. Throws when
    /// the folder is missing or empty, so tests fail instead of passing vacuously.
    public static func all() throws -> [ReferenceVector] {
        let manager = FileManager.default
        guard manager.fileExists(atPath: root.path) else {
            throw FixtureError("reference vectors not found at \(root.path): the shared folder must sit beside the package checkout")
        }
        let vectors = try manager.contentsOfDirectory(atPath: root.path).sorted()
            .map { ReferenceVector(name: $0, directory: root.appendingPathComponent($0)) }
            .filter { manager.fileExists(atPath: $0.path("expected.json")) }
        guard !vectors.isEmpty else { throw FixtureError("no reference vectors in \(root.path)") }
        return vectors
    }

    /// The vector folder `name`.
    public static func named(_ name: String) throws -> ReferenceVector {
        guard let vector = try all().first(where: { $0.name == name }) else {
            throw FixtureError("reference vector \(name) not found in \(root.path)")
        }
        return vector
    }

    /// Vector names for parameterized tests. When the folder is missing this
    /// is one name that does not exist, so the test fails with the reason.
    public static var names: [String] {
        (try? all().map(\.name)) ?? ["<vectors missing at \(root.path)>"]
    }
}

/// A test precondition that does not hold (missing file, unexpected tool output).
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Parses a `"0x…"` string from expected.json.
public func parseHex(_ value: Any?) -> UInt64? {
    guard let text = value as? String, text.hasPrefix("0x") else { return nil }
    return UInt64(text.dropFirst(2), radix: 16)
}
