import Foundation
import KHOABI

/// The constants `kholedger abi` prints, in one order for text and JSON.
struct ABIConstantsTable {
    let geometry: PageGeometry

    /// (JSON key, text label, value) in display order.
    var rows: [(key: String, label: String, value: Int)] {
        let g = geometry
        return [
            ("page_size", "PAGE_SIZE", g.pageSize),
            ("page_shift", "PAGE_SHIFT", g.pageShift),
            ("vmalloc_chunk_entries", "KHO_VMALLOC_SIZE (entries per vmalloc chunk)", g.vmallocChunkEntries),
            ("order0_log2", "KHO_ORDER_0_LOG2", g.order0Log2),
            ("table_size_log2", "KHO_TABLE_SIZE_LOG2", g.tableSizeLog2),
            ("entries_per_node", "radix table slots per node", g.entriesPerNode),
            ("bitmap_size_log2", "KHO_BITMAP_SIZE_LOG2", g.bitmapSizeLog2),
            ("bits_per_leaf", "radix leaf bits", g.bitsPerLeaf),
            ("radix_key_bits", "radix key width (order-0 key, bits)", g.radixKeyBits),
            ("tree_depth_fixed", "KHO_TREE_MAX_DEPTH (fixed formula)", g.radixTreeDepth(.fixed)),
            ("tree_depth_original", "KHO_TREE_MAX_DEPTH (original formula)", g.radixTreeDepth(.original)),
            ("v1_bitmaps_per_chunk", "KHOSER_BITMAP_SIZE (kho-v1)", g.bitmapsPerChunk),
            ("v1a_preserve_bits", "PRESERVE_BITS v1a", g.preserveBits(.v1a)),
            ("v1b_preserve_bits", "PRESERVE_BITS v1b", g.preserveBits(.v1b)),
            ("max_page_order", "MAX_PAGE_ORDER (typical)", g.maxPageOrder),
        ]
    }

    var originalDepthBroken: Bool { RadixDepthFormula.original.isKnownBroken(for: geometry) }

    var text: String {
        let width = rows.map(\.label.count).max() ?? 0
        var lines = ["KHO ABI constants for \(geometry)"]
        for row in rows {
            lines.append(row.label.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(row.value)")
        }
        lines.append("leaf span at order 0".padding(toLength: width, withPad: " ", startingAt: 0)
            + "  \(geometry.leafSpanBytes >> 20) MiB")
        if originalDepthBroken {
            lines.append("note: the original depth formula is known broken at this page size "
                + "(order-0 keys lose their order bit)")
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        get throws {
            var object: [String: Any] = [:]
            for row in rows { object[row.key] = row.value }
            object["leaf_span_bytes"] = geometry.leafSpanBytes
            object["original_depth_known_broken"] = originalDepthBroken
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
    }
}
