import FuzzSupport
import KHOABI
import KHOReplay

/// The vmalloc chunk-list walk (`kho_restore_vmalloc`): the input is a
/// ``PagedMemory`` of 4 KiB pages whose first page starts with the
/// descriptor. Every block counts as preserved, so blocks or chunks listed
/// twice are caught as double restores.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzVmallocRestore(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let memory = PagedMemory(fuzzInput(data, size), geometry: .kib4)
    guard let descriptor = memory.entry else { return 0 }
    let restorer = VmallocRestorer(geometry: memory.geometry, read: memory.read)
    _ = try? restorer.restore(descriptorAt: descriptor, into: { _ in })
    return 0
}

runFuzzer(fuzzVmallocRestore)
