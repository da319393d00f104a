/// Validated segments of one mapped file, sorted by physical address, and the
/// read path shared by every file-backed image.
struct SegmentTable: Sendable {
    /// Non-overlapping segments in ascending `paddr` order, each inside `file`.
    let segments: [ImageSegment]
    let file: MappedFile

    /// One contiguous piece of a read: `count` bytes at `offset` into `segment`.
    private struct Piece {
        let segment: ImageSegment
        let offset: UInt64
        let count: Int
    }

    /// Reads `count` bytes at `phys`, crossing between adjacent segments.
    func read(phys: UInt64, count: Int) throws(ImageError) -> [UInt8] {
        guard count >= 0 else { throw .invalidReadLength(count) }
        let pieces = try plan(phys: phys, count: count)
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBytes { buffer in
            var destination = 0
            for piece in pieces {
                // Bytes past the segment's file data stay zero.
                if piece.offset < piece.segment.fileSize {
                    let stored = Int(min(UInt64(piece.count), piece.segment.fileSize - piece.offset))
                    file.copy(offset: Int(piece.segment.fileOffset + piece.offset), count: stored,
                              to: buffer.baseAddress! + destination)
                }
                destination += piece.count
            }
        }
        return result
    }

    /// Splits a read into per-segment pieces, or names its first uncovered run.
    /// Allocates nothing proportional to `count`, so huge bogus counts fail cheaply.
    private func plan(phys: UInt64, count: Int) throws(ImageError) -> [Piece] {
        var pieces: [Piece] = []
        var cursor = phys
        var remaining = UInt64(count)
        while remaining > 0 {
            let index = lastSegment(startingAtOrBelow: cursor)
            if let index, cursor < segments[index].end {
                let segment = segments[index]
                let taken = min(remaining, segment.end - cursor)
                pieces.append(Piece(segment: segment, offset: cursor - segment.paddr, count: Int(taken)))
                cursor += taken
                remaining -= taken
                continue
            }
            let next = (index ?? -1) + 1
            let gap = next < segments.count ? min(remaining, segments[next].paddr - cursor) : remaining
            throw .unmapped(address: cursor, count: Int(gap))
        }
        return pieces
    }

    /// Binary search: the index of the last segment whose `paddr <= address`.
    private func lastSegment(startingAtOrBelow address: UInt64) -> Int? {
        var low = 0
        var high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].paddr <= address { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }
}
