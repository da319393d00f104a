import Foundation

/// One folder of `<package root>/../shared/vectors/`.
struct ReferenceVector: CustomStringConvertible, Sendable {
    let name: String
    let directory: URL

    var description: String { name }

    /// Path of a file in the folder.
    func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    /// `expected.json`, decoded loosely.
    func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError("\(name)/expected.json is not a JSON object")
        }
        return object
    }

    /// A `"0x…"` address or plain integer field of `expected.json`.
    func expectedNumber(_ key: String) throws -> UInt64 {
        let value = try expected()[key]
        if let text = value as? String, text.hasPrefix("0x"), let number = UInt64(text.dropFirst(2), radix: 16) {
            return number
        }
        if let number = value as? Int, number >= 0 { return UInt64(number) }
        throw FixtureError("\(name)/expected.json: \(key) is missing or not a number")
    }

    /// `<package root>/../shared/vectors`; this file is Tests/KHOImageTests/ReferenceVectors.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("shared/vectors")

    /// Every vector folder (one holding `expected.json`), sorted; throws when
    /// the shared folder is missing or empty so that tests fail instead of passing vacuously.
    static func all() throws -> [ReferenceVector] {
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
    static func named(_ name: String) throws -> ReferenceVector {
        guard let vector = try all().first(where: { $0.name == name }) else {
            throw FixtureError("reference vector \(name) not found in \(root.path)")
        }
        return vector
    }
}

/// A test precondition that does not hold (missing file, unexpected tool output).
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
