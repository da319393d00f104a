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

    @Test func failingSinkIsAnOutputError() {
        let area = CraftedArea(blocksPerChunk: [1])
        #expect(throws: RestoreError.outputFailed(reason: "disk full")) {
            try area.restore(into: { _ in throw Full() })
        }
    }
}
