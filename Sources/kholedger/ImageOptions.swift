import ArgumentParser
import KHOABI
import KHOImage

/// `--base` and `--page-size`: how to read a physical memory image.
///
/// The image is an ELF core (kdump `/proc/vmcore`, QEMU `dump-guest-memory`),
/// recognised by its magic, or a flat raw image of RAM whose first byte is
/// physical address `--base`.
struct ImageOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Physical address of a raw image's first byte (0x… or decimal).",
        discussion: "Required for a raw image, not allowed for an ELF core.", valueName: "address"))
    var base: String?

    @Option(name: .long, help: ArgumentHelp(
        "Page size of the captured kernel: 4096, 16384 or 65536.",
        discussion: "It must match the capture: no image or FDT records it, and every KHO layout depends on it."))
    var pageSize = 4096

    /// The page geometry of `--page-size`.
    func geometry() throws -> PageGeometry {
        do {
            return try PageGeometry(pageSize: pageSize)
        } catch {
            throw InputError("--page-size: \(error)")
        }
    }

    /// A reader over the image at `path`: an ELF core when the file starts
    /// with the ELF magic, else a raw image at `--base`.
    func reader(image path: String) throws -> MemoryReader {
        let image = try open(path)
        return { phys, count in try image.read(phys: phys, count: count) }
    }

    /// The image at `path`: an ELF core when the file starts with the ELF
    /// magic, else a raw image at `--base`.
    func open(_ path: String) throws -> any PhysicalMemoryImage {
        do {
            let file = try MappedFile(path: path)
            let isElf = try file.bytes(at: 0, count: min(file.size, Self.elfMagic.count)) == Self.elfMagic
            switch (isElf, base) {
            case (true, nil):
                return try ElfCoreImage(file: file)
            case (true, .some):
                throw InputError("--base is only for raw images, but \(path) is an ELF core")
            case (false, nil):
                throw InputError("\(path) is not an ELF core (no ELF magic); for a raw image give its physical base with --base 0x…")
            case (false, let base?):
                return try RawImage(file: file, base: parseAddress(base, option: "--base"))
            }
        } catch let error as ImageError {
            throw InputError("image \(path): \(error)")
        }
    }

    /// `\x7fELF`.
    private static let elfMagic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
}
