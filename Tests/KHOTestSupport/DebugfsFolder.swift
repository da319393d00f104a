import Foundation
import KHOABI
import KHOImage

/// A copy of `/sys/kernel/debug/kho/` laid out as a kernel lays it out
/// (KHO-ABI.md §6), written from a root FDT and the memory image that holds
/// its blobs: `fdt`, one `sub_fdts/<name>` per subtree with the blob's bytes
/// (sized by `blob-size` when the FDT records it, as 7.1+ kernels do, else
/// by the `totalsize` of the blob's FDT header, as 6.16 – 7.0 do), and on
/// the `out` side the boot memory lists (`0x%llx` lines) and `finalize`.
public struct DebugfsFolder {
    /// The `kho` folder.
    public let root: URL

    /// Writes `root/<side>/`. `fdtBytes` cuts `fdt` short (a file the kernel
    /// made before the FDT grew); `bootMemory` is the `<name>_phys` /
    /// `<name>_len` prefix with its (address, size) ranges; `finalize` is the
    /// flag's text (6.16 – 7.0), nil for none.
    @discardableResult
    public init(root: URL, side: String, fdt: [UInt8], image: any PhysicalMemoryImage, fdtBytes: Int? = nil,
                bootMemory: (name: String, ranges: [(UInt64, UInt64)])? = nil, finalize: String? = nil) throws {
        self.root = root
        let folder = root.appendingPathComponent(side)
        let subtrees = folder.appendingPathComponent("sub_fdts")
        try FileManager.default.createDirectory(at: subtrees, withIntermediateDirectories: true)
        try Data(fdt.prefix(fdtBytes ?? fdt.count)).write(to: folder.appendingPathComponent("fdt"))
        for subtree in try KHORootFDT(bytes: fdt).subtrees {
            let size = try subtree.size.map(Int.init) ?? Self.fdtTotalSize(at: subtree.phys, in: image)
            try Data(image.read(phys: subtree.phys, count: size)).write(to: subtrees.appendingPathComponent(subtree.name))
        }
        if let (name, ranges) = bootMemory {
            try Self.lines(ranges.map(\.0)).write(to: folder.appendingPathComponent(name + "_phys"))
            try Self.lines(ranges.map(\.1)).write(to: folder.appendingPathComponent(name + "_len"))
        }
        if let finalize { try Data(finalize.utf8).write(to: folder.appendingPathComponent("finalize")) }
    }

    /// The path of `relative` under the `kho` folder.
    public func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Replaces the file at `relative` with `text`.
    public func write(_ relative: String, _ text: String) throws { try write(relative, Data(text.utf8)) }

    /// Replaces the file at `relative` with `data`.
    public func write(_ relative: String, _ data: Data) throws {
        try data.write(to: root.appendingPathComponent(relative))
    }

    /// The bytes of the file at `relative`.
    public func bytes(_ relative: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: root.appendingPathComponent(relative))) }

    /// Removes the file at `relative`.
    public func remove(_ relative: String) throws { try FileManager.default.removeItem(at: root.appendingPathComponent(relative)) }

    /// `0x%llx\n` per value, as the kernel's `seq_printf` writes them.
    private static func lines(_ values: [UInt64]) -> Data {
        Data(values.map { "0x" + String($0, radix: 16) + "\n" }.joined().utf8)
    }

    /// `totalsize` of the FDT header at `phys` (big-endian, bytes 4 ..< 8).
    private static func fdtTotalSize(at phys: UInt64, in image: any PhysicalMemoryImage) throws -> Int {
        Int(try image.read(phys: phys + 4, count: 4).reduce(0) { $0 << 8 | UInt32($1) })
    }
}
