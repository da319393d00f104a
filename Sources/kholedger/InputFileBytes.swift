import KHOImage

/// The whole file at `path`, given with `option` (`--fdt`, `--manifest`):
/// a file that cannot be read (missing, a directory, a FIFO, …) is one
/// error line naming the option.
func inputFileBytes(_ path: String, option: String) throws -> [UInt8] {
    do {
        let file = try MappedFile(path: path)
        return try file.bytes(at: 0, count: file.size)
    } catch {
        throw InputError("\(option): \(error)")
    }
}
