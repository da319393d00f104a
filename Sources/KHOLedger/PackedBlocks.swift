import KHOABI

/// Scattered blocks of one order in one row: how schema 2 stores a layout
/// whose blocks do not follow each other (migration 0009).
///
/// A row of `object_extent` covers `count` blocks of `ord`. With `blocks`
/// NULL they are contiguous from `phys` (a run, as in schema 1); otherwise
/// `blocks` lists them: a JSON array of the page frame number of each
/// block's first page, in order (`[262144,262913,262150]`), and `phys` is
/// the first block's address. SQLite's `json_each` expands the array, so
/// the stock `sqlite3` shell reads the layout without an extension, and a
/// frame costs a few bytes of text instead of a row and its index entries.
/// In SQL, the views `op_change_block`, `preserved_run_block` and
/// `object_extent_block` (migration 0010) expand rows of either form into
/// their blocks, once for every view, report and query that needs them.
/// A packed row holds at most ``limit`` blocks, so that a change to one
/// block rewrites a few KiB, not a whole area's layout.
public enum PackedBlocks {
    /// Most blocks one packed row lists.
    public static let limit = 512

    /// What one row stores: a run (`blocks` nil) or packed blocks
    /// (`run.phys` the first, `run.count` how many, `blocks` the list).
    public struct Entry: Equatable, Sendable {
        public var run: BlockRun
        /// The `blocks` column: nil for a contiguous run.
        public var blocks: String?
    }

    /// `runs` as rows: a run of two or more blocks stays a row of its own;
    /// single blocks that follow each other at one order share a packed
    /// row, up to ``limit``.
    public static func entries(_ runs: [BlockRun], geometry: PageGeometry) -> [Entry] {
        var rows: [Entry] = []
        var pending: [UInt64] = []
        var pendingOrder = 0
        var pendingPhys: UInt64 = 0
        func flush() {
            guard !pending.isEmpty else { return }
            if pending.count == 1 {
                rows.append(Entry(run: BlockRun(phys: pendingPhys, order: pendingOrder, count: 1)))
            } else {
                rows.append(Entry(run: BlockRun(phys: pendingPhys, order: pendingOrder, count: pending.count), blocks: encode(pending)))
            }
            pending = []
        }
        for run in runs {
            guard run.count == 1 else {
                flush()
                rows.append(Entry(run: run))
                continue
            }
            if !pending.isEmpty, pendingOrder != run.order || pending.count == limit { flush() }
            if pending.isEmpty { pendingOrder = run.order; pendingPhys = run.phys }
            pending.append(run.phys >> UInt64(geometry.pageShift))
        }
        flush()
        return rows
    }

    /// The JSON array of `frames`.
    static func encode(_ frames: [UInt64]) -> String {
        var text = "["
        text.reserveCapacity(frames.count * 9 + 2)
        for (index, frame) in frames.enumerated() {
            if index > 0 { text.append(",") }
            text.append(String(frame))
        }
        text.append("]")
        return text
    }

    /// The page frame numbers a `blocks` value lists, or nil when it is not
    /// a JSON array of `count` unsigned integers below 2^52 (the page
    /// frame numbers of a 64-bit address space of 4 KiB pages or larger).
    public static func frames(_ text: String, count: Int) -> [UInt64]? {
        var frames: [UInt64] = []
        frames.reserveCapacity(count)
        var utf8 = text.utf8[...]
        guard utf8.popFirst() == UInt8(ascii: "["), utf8.popLast() == UInt8(ascii: "]") else { return nil }
        var value: UInt64 = 0
        var digits = 0
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"):
                guard digits < 16, !(digits == 1 && value == 0) else { return nil }
                value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: ","):
                guard digits > 0 else { return nil }
                frames.append(value)
                value = 0
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0 else { return nil }
        frames.append(value)
        guard frames.count == count, frames.allSatisfy({ $0 < 1 << 52 }) else { return nil }
        return frames
    }
}
