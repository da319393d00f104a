/// One generation of the KHO handover ABI, as named by the root FDT's
/// `compatible` string.
///
/// | generation | compatible | tracker | sub-blob property |
/// |---|---|---|---|
/// | v1a | `kho-v1` | bitmaps of 512 bytes | `fdt` |
/// | v1b | `kho-v1` | page-sized bitmaps | `fdt` |
/// | v2 | `kho-v2` | radix tree | `preserved-data` |
/// | v3 | `kho-v3` | radix tree | `preserved-data` + `blob-size` |
/// | v4 | `kho-v4` | radix tree + serialization blocks | as v3 |
/// | v4c | `kho-v4;radix-v1;vmalloc-v1` | as v4 (RFC) | as v3 |
public enum ABIGeneration: String, Sendable, CaseIterable, Codable {
    case v1a, v1b, v2, v3, v4, v4c

    /// The root FDT `compatible` string (without the terminating NUL).
    public var compatible: String {
        switch self {
        case .v1a, .v1b: return "kho-v1"
        case .v2: return "kho-v2"
        case .v3: return "kho-v3"
        case .v4: return "kho-v4"
        case .v4c: return "kho-v4;radix-v1;vmalloc-v1"
        }
    }

    /// The bitmap layout for kho-v1 generations, `nil` for radix generations.
    public var bitmapVariant: BitmapVariant? {
        switch self {
        case .v1a: return .v1a
        case .v1b: return .v1b
        default: return nil
        }
    }

    /// True when the preserved-memory tracker is the radix tree (v2 and later).
    public var usesRadixTracker: Bool { bitmapVariant == nil }

    /// The subnode property holding a sub-blob's physical address.
    public var subtreeAddressProperty: String { usesRadixTracker ? "preserved-data" : "fdt" }

    /// True when subnodes carry a `blob-size` property (v3 and later).
    public var hasBlobSize: Bool {
        switch self {
        case .v1a, .v1b, .v2: return false
        case .v3, .v4, .v4c: return true
        }
    }

    /// Finds the generation a `compatible` property names.
    ///
    /// The property may hold several NUL-separated strings (libfdt semantics:
    /// any entry may match). `kho-v1` is ambiguous between v1a and v1b, so the
    /// caller names the variant it expects.
    public static func detect(compatible property: [UInt8], bitmapVariant: BitmapVariant) throws(ABIDetectionError) -> ABIGeneration {
        let entries = property.split(separator: 0, omittingEmptySubsequences: true)
            .map { String(decoding: $0, as: UTF8.self) }
        for entry in entries {
            if entry == "kho-v1" { return bitmapVariant == .v1a ? .v1a : .v1b }
            if let generation = allCases.first(where: { $0.compatible == entry }) {
                return generation
            }
        }
        throw ABIDetectionError(compatible: entries.joined(separator: ", "))
    }
}

/// The root FDT's `compatible` names no KHO generation this tool knows.
public struct ABIDetectionError: Error, Equatable, CustomStringConvertible {
    /// The compatible strings found, comma-separated.
    public let compatible: String

    public var description: String {
        "unknown KHO compatible \"\(compatible)\": expected one of "
            + Set(ABIGeneration.allCases.map(\.compatible)).sorted().joined(separator: ", ")
    }
}
