import FuzzSupport
import KHOABI
import KHOImage

/// The ELF core and raw image readers: the input is the image file. Each
/// mapped range is read at its ends and a page from its middle.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    InputFile.write(fuzzInput(data, size))
    if let elf = try? ElfCoreImage(path: InputFile.path) {
        readAround(elf)
    }
    if let raw = try? RawImage(path: InputFile.path, base: 0x1_0000_0000) {
        readAround(raw)
    }
    return 0
}

/// Reads the first and last bytes and a middle page of every mapped range,
/// and one byte past each end.
func readAround(_ image: some PhysicalMemoryImage) {
    for range in image.mappedRanges {
        let length = range.upperBound - range.lowerBound
        let count = Int(min(length, 4096))
        _ = try? image.read(phys: range.lowerBound, count: count)
        _ = try? image.read(phys: range.upperBound - UInt64(count), count: count)
        _ = try? image.readPage(range.lowerBound + length / 2, geometry: .kib4)
        _ = try? image.read(phys: range.upperBound, count: 1)
        _ = try? image.read(phys: range.lowerBound &- 1, count: 2)
    }
}

runFuzzer(fuzzImage)
