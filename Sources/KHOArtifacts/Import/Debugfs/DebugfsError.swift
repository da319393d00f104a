import KHOABI
import KHOImage

/// Why a copied `/sys/kernel/debug/kho/` folder cannot be imported. Every
/// case names the file (as a path under the folder given) and the value.
public enum DebugfsError: Error, Equatable, CustomStringConvertible {
    /// The folder does not exist or is not a folder.
    case notAFolder(path: String, reason: String)
    /// The folder holds neither `out/` nor `in/` nor an `fdt`.
    case noCapture(path: String)
    /// The folder holds both `out/fdt` and `in/fdt`: which handover is meant?
    case bothSides(path: String)
    /// A file the layout needs is absent.
    case missingFile(path: String, reason: String)
    /// A file cannot be read (not a regular file, unreadable).
    case unreadable(ImageError)
    /// A line of a boot-memory list is not `0x` and hex digits.
    case notHex(path: String, line: Int, text: String)
    /// The address and length lists have different numbers of lines.
    case rangeCountMismatch(physPath: String, physCount: Int, lengthPath: String, lengthCount: Int)
    /// A range runs past the 64-bit address space.
    case rangeOverflow(path: String, line: Int, phys: UInt64, size: UInt64)
    /// `finalize` does not read 0 or 1.
    case badFinalize(path: String, text: String)
    /// `finalize` reads 0: the tracker was never serialized.
    case notFinalized(path: String)
    /// The root FDT file is not an FDT.
    case notFDT(path: String, reason: String)
    /// The root FDT file is shorter than the FDT its header describes, and no
    /// page of the image starts with its bytes.
    case truncatedFDTNotInImage(path: String, fileSize: Int, totalSize: UInt32)
    /// The files do not fit any release that hands over this ABI (or the one `--kernel` names).
    case layoutMismatch(path: String, reason: String)
    /// A subtree of the FDT has no file in `sub_fdts/`.
    case missingSubtreeFile(path: String, subtree: KHOSubtree)
    /// A file of `sub_fdts/` names no subtree of the FDT.
    case extraSubtreeFile(path: String)
    /// A `sub_fdts/` file's length is not the subtree's size.
    case subtreeFileSize(path: String, fileSize: Int, subtree: KHOSubtree, sizeSource: String)
    /// A `sub_fdts/` file differs from the blob in the image.
    case subtreeFileContent(path: String, offset: Int, fileByte: UInt8, imageByte: UInt8, phys: UInt64)

    public var description: String {
        switch self {
        case let .notAFolder(path, reason):
            return "--debugfs \(path): \(reason)"
        case .noCapture(let path):
            return "--debugfs \(path) holds no out/ or in/ folder and no fdt: give a copy of /sys/kernel/debug/kho or of its out/ or in/"
        case .bothSides(let path):
            return "--debugfs \(path) holds out/fdt and in/fdt: give \(path)/out (the handover this kernel makes) "
                + "or \(path)/in (the one it booted from)"
        case let .missingFile(path, reason):
            return "\(path) is missing: \(reason)"
        case .unreadable(let error):
            return "\(error)"
        case let .notHex(path, line, text):
            return "\(path) line \(line): \(text.debugDescription) is not a 0x… hex number"
        case let .rangeCountMismatch(physPath, physCount, lengthPath, lengthCount):
            return "\(physPath) has \(physCount) lines but \(lengthPath) has \(lengthCount): one line per range in each"
        case let .rangeOverflow(path, line, phys, size):
            return "\(path) line \(line): \(hex(size)) bytes at \(hex(phys)) run past the 64-bit address space"
        case let .badFinalize(path, text):
            return "\(path): \(text.debugDescription) is neither 0 nor 1"
        case .notFinalized(let path):
            return "\(path) reads 0: the kernel has not serialized its handover; write 1 to it before copying the folder"
        case let .notFDT(path, reason):
            return "\(path) is not an FDT: \(reason)"
        case let .truncatedFDTNotInImage(path, fileSize, totalSize):
            return "\(path) holds \(fileSize) of the FDT's \(totalSize) bytes (the kernel sized the file when it made it) "
                + "and no page of the image starts with them: the image does not hold the root FDT"
        case let .layoutMismatch(path, reason):
            return "\(path): \(reason)"
        case let .missingSubtreeFile(path, subtree):
            return "\(path) is missing: the FDT has subtree \(subtree.name) (blob at \(hex(subtree.phys)))"
        case .extraSubtreeFile(let path):
            return "\(path): the FDT has no subtree of that name"
        case let .subtreeFileSize(path, fileSize, subtree, sizeSource):
            return "\(path) is \(fileSize) bytes, but subtree \(subtree.name)'s blob at \(hex(subtree.phys)) is "
                + "\(subtree.size.map(String.init) ?? "?") bytes (\(sizeSource))"
        case let .subtreeFileContent(path, offset, fileByte, imageByte, phys):
            return "\(path) differs from the blob at \(hex(phys)) in the image at byte \(offset): "
                + "\(hex(fileByte)) in the file, \(hex(imageByte)) in the image"
        }
    }
}
