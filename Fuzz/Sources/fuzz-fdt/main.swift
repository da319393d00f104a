import FuzzSupport
import KHOABI

/// The root FDT reader and the handover walk over an FDT: the input is the
/// FDT; the memory its pointers lead to is the input itself, mapped at 0.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzRootFDT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let fdt = fuzzInput(data, size)
    if let tree = try? FlattenedDeviceTree(bytes: fdt) {
        _ = try? KHORootFDT(tree: tree)
    }
    let read: MemoryReader = { phys, count in
        guard count >= 0, phys < UInt64(fdt.count), count <= fdt.count - Int(phys) else {
            throw PagedMemoryError.outside(phys: phys, count: count)
        }
        return Array(fdt[Int(phys)..<(Int(phys) + count)])
    }
    for variant in BitmapVariant.allCases {
        _ = try? HandoverWalker(geometry: .kib4, bitmapVariant: variant).walk(fdt: fdt, read: read)
    }
    return 0
}

runFuzzer(fuzzRootFDT)
