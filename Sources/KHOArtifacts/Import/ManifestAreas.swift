import Foundation
import KHOABI

/// An export's manifest read back for `import --manifest`: its vmalloc
/// areas are imported under their names, and the capture must be the
/// handover the manifest describes — same page size, compatible and tracker
/// root, and every area restoring to the SHA-256 the manifest records.
public struct ManifestAreas: Sendable {
    /// Where the manifest was read from, for messages.
    public let path: String
    public let manifest: ExportManifest

    /// Decodes a manifest's JSON; anything else is ``ImportError/manifest(path:reason:)``.
    public init(path: String, json: [UInt8]) throws(ImportError) {
        self.path = path
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            manifest = try decoder.decode(ExportManifest.self, from: Data(json))
        } catch let error as DecodingError {
            throw .manifest(path: path, reason: Self.reason(error))
        } catch {
            throw .manifest(path: path, reason: "not an export manifest")
        }
        for area in manifest.areas where parseHexAddress(area.descriptorPhys) == nil {
            throw .manifest(path: path, reason: "area \(area.name): descriptor_phys \(area.descriptorPhys.debugDescription) is not a \"0x…\" address")
        }
    }

    /// The areas to import: every area the export restored (one it could
    /// not restore has no SHA-256 and is left out).
    public var namedAreas: [NamedArea] {
        manifest.areas.compactMap { area in
            guard area.sha256 != nil, let phys = parseHexAddress(area.descriptorPhys) else { return nil }
            return NamedArea(name: area.name, descriptorPhys: phys, origin: .manifest)
        }
    }

    /// The manifest's areas the export could not restore, as notes.
    var skipped: [String] {
        manifest.areas.compactMap { area in
            guard area.sha256 == nil else { return nil }
            return "\(path): area \(area.name) was not restorable when exported (\(area.error ?? "no SHA-256")): not imported"
        }
    }

    /// Holds the prepared capture against the manifest.
    func check(_ events: CaptureEvents) throws(ImportError) {
        func refuse(_ reason: String) -> ImportError { .manifest(path: path, reason: reason) }
        let walk = events.walk
        guard manifest.pageSize == events.geometry.pageSize else {
            throw refuse("it describes a handover with \(manifest.pageSize)-byte pages, the capture is read with "
                + "\(events.geometry.pageSize)-byte pages (give --page-size \(manifest.pageSize))")
        }
        guard manifest.compat == walk.generation.compatible else {
            throw refuse("it describes a \(manifest.compat) handover, the capture's root FDT is \(walk.generation.compatible)")
        }
        guard parseHexAddress(manifest.trackerRoot) == walk.trackerRoot else {
            throw refuse("it describes a handover whose tracker is at \(manifest.trackerRoot), the capture's is at \(hex(walk.trackerRoot))")
        }
        for area in manifest.areas {
            guard let expected = area.sha256,
                  let imported = events.areas.first(where: { $0.area.name == area.name }) else { continue }
            guard imported.restored.sha256 == expected else {
                throw refuse("area \(area.name) restores from the capture with SHA-256 \(imported.restored.sha256), "
                    + "the manifest records \(expected)")
            }
        }
    }

    /// One phrase for a decoding failure, naming the snake_case key path.
    private static func reason(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ last: CodingKey? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? "." + snakeCase($0.stringValue) }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "not an export manifest (\(path(context, key)) is missing)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "not an export manifest (\(path(context)) has the wrong type)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "not an export manifest (\(path(context)) is invalid)"
        @unknown default:
            return "not an export manifest"
        }
    }

    /// `descriptorPhys` → `descriptor_phys`, as the file spells keys.
    private static func snakeCase(_ key: String) -> String {
        key.reduce(into: "") { text, character in
            text += character.isUppercase ? "_" + character.lowercased() : String(character)
        }
    }
}
