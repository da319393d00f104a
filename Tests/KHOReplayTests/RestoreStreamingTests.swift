import KHOABI
import KHOReplay
import KHOTestSupport
import Testing

/// The restorer hands the area's bytes to its sink in bounded pieces, in
/// restore order, and reports a failing sink as a typed error.
@Suite("VmallocRestorer streaming")
struct RestoreStreamingTests {
    private struct Full: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    @Test func hugeBlocksArriveInBoundedPieces() throws {
        let area = CraftedArea(blocksPerChunk: [2], order: 9)
        var pieces: [[UInt8]] = []
        let restored = try area.restore(into: { pieces.append($0) })
        #expect(pieces.map(\.count) == [VmallocRestorer.pieceSize, VmallocRestorer.pieceSize,
                                        VmallocRestorer.pieceSize, VmallocRestorer.pieceSize])
        #expect(pieces.flatMap { $0 } == area.expectedBytes)
        #expect(restored.sha256 == sha256Hex(area.expectedBytes))
        #expect(restored.size == 2 << 21)
    }

    @Test func fullChunkThenTrailingEmptyChunk() throws {
        let area = CraftedArea(blocksPerChunk: [PageGeometry.kib4.vmallocChunkEntries, 0])
        var bytes: [UInt8] = []
        let restored = try area.restore(into: { bytes += $0 })
        #expect(restored.chunkPhys.count == 2)
        #expect(restored.blockPhys == area.blockPhys)
        #expect(bytes == area.expectedBytes)
    }

    /// The sink runs on a second thread behind a bounded queue: an area
    /// larger than the queue arrives whole and in order, and a sink that
    /// fails once the queue has filled stops the restore with its error
    /// (the restoring thread, waiting for room, is released).
    @Test func aSinkBehindAFullQueueGetsEverythingOrStopsTheRestore() throws {
        let area = CraftedArea(blocksPerChunk: [6], order: 9)   // 6 blocks of 2 MiB: 12 MiB, more than the queue
        var bytes: [UInt8] = []
        let restored = try area.restore(into: { bytes += $0 })
        #expect(bytes == area.expectedBytes)
        #expect(restored.sha256 == sha256Hex(area.expectedBytes))

        var received = 0
        #expect(throws: RestoreError.outputFailed(reason: "disk full")) {
            try area.restore(into: { piece in
                guard received < 10 << 20 else { throw Full() }
                received += piece.count
            })
        }
        #expect(received == 10 << 20)
    }

    /// What a sink holds is released when a failed restore returns: an
    /// output file that removes itself unless committed must be gone before
    /// the command exits (a restore that failed once left its partial file
    /// behind while the sink's thread still held it).
    @Test func aFailedRestoreHasReleasedItsSink() {
        final class Output {}
        var area = CraftedArea(blocksPerChunk: [2])
        area.setEntry(chunk: 0, slot: 1, to: 0xdead_0000)
        for _ in 0 ..< 200 {
            weak var released: Output?
            do {
                let output = Output()
                released = output
                _ = try? area.restore(into: { _ in withExtendedLifetime(output) {} })
            }
            #expect(released == nil)
        }
    }

    @Test func failingSinkIsAnOutputError() {
        let area = CraftedArea(blocksPerChunk: [1])
        #expect(throws: RestoreError.outputFailed(reason: "disk full")) {
            try area.restore(into: { _ in throw Full() })
        }
    }
}
