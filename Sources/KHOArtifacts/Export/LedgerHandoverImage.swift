import KHOABI
import KHOImage
import KHOLedger
import KHOReplay

/// The memory an export writes out: the ledger's memory as of the point
/// (``MemoryView``), with the rebuilt tracker's node pages laid over it.
final class LedgerHandoverImage: PhysicalMemoryImage {
    private let view: MemoryView
    private let overlay: [UInt64: [UInt8]]
    let mappedRanges: [Range<UInt64>]
    /// Told the bytes read so far after each read, of `total`.
    private let progress: WorkProgress
    private let total: Int
    private var done = 0

    /// `view` with `overlay` pages (page-aligned addresses) on top, serving
    /// reads inside `segments` only; `progress` hears of every read, of
    /// `total` bytes to read in all.
    init(view: MemoryView, overlay: [UInt64: [UInt8]], segments: [Range<UInt64>], total: Int = 0,
         progress: @escaping WorkProgress = { _, _ in }) {
        self.view = view
        self.overlay = overlay
        mappedRanges = segments
        self.total = total
        self.progress = progress
    }

    /// Reads page by page; runs of pages without an overlay come from the
    /// view in one read.
    func read(phys: UInt64, count: Int) throws(ImageError) -> [UInt8] {
        guard count >= 0 else { throw .invalidReadLength(count) }
        let pageSize = UInt64(view.geometry.pageSize)
        let end = phys + UInt64(count)
        var result: [UInt8] = []
        result.reserveCapacity(count)
        var address = phys
        while address < end {
            let page = address & ~(pageSize - 1)
            let pieceEnd = min(end, page + pageSize)
            if let bytes = overlay[page] {
                result += bytes[Int(address - page) ..< Int(pieceEnd - page)]
                address = pieceEnd
                continue
            }
            var runEnd = pieceEnd
            while runEnd < end, overlay[runEnd] == nil { runEnd = min(end, runEnd + pageSize) }
            do {
                result += try view.read(address, count: Int(runEnd - address))
            } catch {
                throw .sourceUnreadable(address: address, reason: error.description)
            }
            address = runEnd
        }
        done += count
        progress(done, total)
        return result
    }
}
