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

    /// The restore of a block also fails when the order stored in its head
    /// page is above `MAX_PAGE_ORDER`: the bitmap-tracker and kho-v2 code
    /// (`kho_restore_page`); the kho-v3 code (7.1) and later check the magic only.
    public var restoreChecksMaxPageOrder: Bool {
        switch self {
        case .v1a, .v1b, .v2: return true
        case .v3, .v4, .v4c: return false
        }
    }

    /// Head pages carry the `KHOP` magic and a restore consumes it (6.18+);
    /// 6.16/6.17 (v1a) store the bare order and cannot detect a double restore.
    public var restoreChecksMagic: Bool { self != .v1a }

    /// Preserve and unpreserve lower a block's order until its first and last
    /// page lie on one NUMA node (kho-v3 code, 7.1 rc fixes); the kho-v2 code
    /// has no cut, and restores never apply it.
    public var splitsAtNUMANodes: Bool {
        switch self {
        case .v1a, .v1b, .v2: return false
        case .v3, .v4, .v4c: return true
        }
    }

    /// Every kernel adds the `kexec-metadata` subtree at init (7.1+, kho-v3 on).
    public var addsKexecMetadata: Bool { hasBlobSize }

    /// How `kho_add_subtree` fails once the subnode exists but a property
    /// cannot be set.
    public var subtreeAddFailure: SubtreeAddFailure {
        hasBlobSize ? .removesNode : .leavesEmptyNode
    }

    /// What a failed `kho_add_subtree` leaves behind.
    public enum SubtreeAddFailure: String, Sendable {
        /// kho-v2 code: the raw negative libfdt code is returned and the new
        /// node stays, empty (retrieving it later fails with -EINVAL).
        case leavesEmptyNode = "raw libfdt code, empty node left"
        /// 7.1+: -ENOMEM and the node is deleted again.
        case removesNode = "-ENOMEM, node removed"
        /// 6.16 – 6.18: the subtree is written with the whole root FDT at
        /// finalize; the OR of the sequential-write calls' libfdt codes is
        /// returned (``KernelRelease/subtreeAddFailure``).
        case finalizeWriteCode = "libfdt code of the finalize-time sequential write"
    }

    /// The NUL-separated entries of a `compatible` property.
    public static func compatibleEntries(_ property: [UInt8]) -> [String] {
        property.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
    }

    /// True when one entry of a `compatible` property is exactly this
    /// generation's string — the check a kernel of this generation makes on
    /// the incoming root FDT (`fdt_node_check_compatible` in `kho_populate`).
    public func isListed(inCompatible property: [UInt8]) -> Bool {
        Self.compatibleEntries(property).contains(compatible)
    }

    /// Finds the generation a `compatible` property names.
    ///
    /// The property may hold several NUL-separated strings (libfdt semantics:
    /// any entry may match). `kho-v1` is ambiguous between v1a and v1b, so the
    /// caller names the variant it expects.
    public static func detect(compatible property: [UInt8], bitmapVariant: BitmapVariant) throws(ABIDetectionError) -> ABIGeneration {
        let entries = compatibleEntries(property)
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
public struct ABIDetectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The compatible strings found, comma-separated.
    public let compatible: String

    public var description: String {
        "unknown KHO compatible \"\(compatible)\": expected one of "
            + Set(ABIGeneration.allCases.map(\.compatible)).sorted().joined(separator: ", ")
    }
}
