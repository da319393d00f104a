import FuzzSupport
import KHOABI

/// The preserved-memory tracker walkers: the input is a ``PagedMemory`` of
/// 4 KiB pages whose first page is the root, walked as a radix tree under
/// both depth formulas and as a kho-v1 bitmap chunk list of both variants.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTrackerWalk(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let memory = PagedMemory(fuzzInput(data, size), geometry: .kib4)
    guard let root = memory.entry else { return 0 }
    for formula in RadixDepthFormula.allCases {
        let walker = RadixTrackerWalker(geometry: memory.geometry, rootPhys: root, depthFormula: formula)
        _ = try? walker.blocks(read: memory.read)
        _ = try? walker.nodePages(read: memory.read)
    }
    for variant in BitmapVariant.allCases {
        _ = try? BitmapTrackerWalker(geometry: memory.geometry, variant: variant, firstChunkPhys: root).blocks(read: memory.read)
    }
    return 0
}

runFuzzer(fuzzTrackerWalk)
