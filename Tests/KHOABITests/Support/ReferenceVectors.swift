import Foundation

/// One folder of `../shared/vectors/`: an emulated handover made by an
/// independent implementation of the ABI.
struct ReferenceVector: CustomStringConvertible, Sendable {
    /// Folder name, e.g. `k4-s7`.
    let name: String
    let directory: URL

    var description: String { name }

    /// Reads a file of the folder.
    func data(_ file: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(file))
    }

    func bytes(_ file: String) throws -> [UInt8] { [UInt8](try data(file)) }

    /// `expected.json`, decoded loosely.
    func expected() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: data("expected.json"))
        guard let dictionary = object as? [String: Any] else {
            throw VectorError.malformed(name, "expected.json is not an object")
        }
        return dictionary
    }

    /// The folder holding all vectors: `<package root>/../shared/vectors`.
    static var root: URL {
        // This file is Tests/KHOABITests/Support/ReferenceVectors.swift.
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("shared/vectors")
    }

    /// Every vector folder, sorted by name. Fails clearly when the folder is missing.
    static func all() throws -> [ReferenceVector] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: root.path) else {
            throw VectorError.missingFolder(root.path)
        }
        return try fm.contentsOfDirectory(atPath: root.path).sorted()
            .filter { fm.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("expected.json").path) }
            .map { ReferenceVector(name: $0, directory: root.appendingPathComponent($0)) }
    }

    /// The vector named `name`.
    static func named(_ name: String) throws -> ReferenceVector {
        guard let vector = try all().first(where: { $0.name == name }) else {
            throw VectorError.missingFolder(root.appendingPathComponent(name).path)
        }
        return vector
    }

    /// Vector names, for parameterized tests; empty (and the test reports it) when absent.
    static var names: [String] { (try? all().map(\.name)) ?? [] }
}

enum VectorError: Error, CustomStringConvertible {
    case missingFolder(String)
    case malformed(String, String)

    var description: String {
        switch self {
        case .missingFolder(let path):
            return "reference vectors not found at \(path): the shared folder must sit beside the package checkout"
        case let .malformed(vector, reason):
            return "\(vector): \(reason)"
        }
    }
}

/// Parses a `"0x…"` string from expected.json.
func parseHex(_ value: Any?) -> UInt64? {
    guard let text = value as? String, text.hasPrefix("0x") else { return nil }
    return UInt64(text.dropFirst(2), radix: 16)
}
