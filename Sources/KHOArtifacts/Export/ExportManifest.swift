import Foundation
import KHOABI

/// What an export wrote, as the manifest file holds it (JSON, snake_case
/// keys, addresses as `"0x…"` strings). `import --manifest` reads it back
/// (``ManifestAreas``).
public struct ExportManifest: Codable, Sendable {
    /// A vmalloc area handed over at the point.
    public struct Area: Codable, Sendable {
        public var name: String
        public var descriptorPhys: String
        public var totalPages: UInt64
        public var order: Int
        public var flags: UInt16
        /// SHA-256 of the area's bytes, restored from the ledger as of the
        /// point; absent when the restore failed (see `error`).
        public var sha256: String?
        /// Why the area could not be restored; absent when it was.
        public var error: String?
    }

    /// One `PT_LOAD` of the image.
    public struct Segment: Codable, Sendable {
        public var phys: String
        public var size: UInt64
    }

    public var pageSize: Int
    /// The root FDT's `compatible`.
    public var compat: String
    /// The root FDT page; absent when the ledger does not know it.
    public var fdtPhys: String?
    /// The root FDT's `preserved-memory-map`.
    public var trackerRoot: String
    public var areas: [Area]
    /// Preserved blocks handed over.
    public var preservedCount: Int
    /// Tracker node pages rebuilt (the root included).
    public var trackerPages: Int
    /// The image's segments, ascending.
    public var segments: [Segment]
    /// The point exported.
    public var seq: Int64
    public var generation: Int64

    /// Pretty JSON with sorted snake_case keys, and a final newline.
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return Array(try encoder.encode(self)) + [0x0a]
    }
}
