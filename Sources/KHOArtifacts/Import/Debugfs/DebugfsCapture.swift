import Foundation
import KHOABI
import KHOImage
import KHOMachine

/// A copy of `/sys/kernel/debug/kho/` (or of its `out/` or `in/` side): the
/// root FDT, the subtree blobs as the kernel shows them, and on the `out/`
/// side the boot memory ranges and, 6.16 – 7.0, the `finalize` flag
/// (KHO-ABI.md §6).
///
/// Reading checks only the files themselves; ``check(_:blobs:)`` and
/// ``releases(handingOver:kernel:)`` compare them with the handover.
public struct DebugfsCapture: Sendable {
    /// Which handover a side of the folder shows.
    public enum Side: String, Sendable {
        /// `out/`: the handover this kernel makes at its kexec.
        case outgoing = "out"
        /// `in/`: the handover this kernel booted from.
        case incoming = "in"
    }

    /// The side folder read (the folder given, or its `out/` or `in/`).
    public let path: String
    public let side: Side
    /// The bytes of `fdt`.
    public let fdt: [UInt8]
    /// The files of `sub_fdts/`, by name.
    public let subtreeFiles: [String: [UInt8]]
    /// The boot memory ranges and the name the files gave them (`out/` only).
    public let bootMemory: BootMemory?
    /// What `out/finalize` reads (6.16 – 7.0); nil when there is no such file.
    public let finalized: Bool?

    /// Reads the folder at `path`: a copy of `kho/` holding `out/` or `in/`,
    /// or one of those itself (a folder holding `fdt` or `sub_fdts/`).
    public init(path given: String) throws(DebugfsError) {
        var path = given
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard Self.isFolder(path) else {
            throw .notAFolder(path: path, reason: FileManager.default.fileExists(atPath: path) ? "not a folder" : "no such folder")
        }
        let out = path + "/" + Side.outgoing.rawValue, incoming = path + "/" + Side.incoming.rawValue
        let folder: String
        if Self.exists(path + "/fdt") || Self.isFolder(path + "/sub_fdts") {
            folder = path
        } else if Self.exists(out + "/fdt") && Self.exists(incoming + "/fdt") {
            throw .bothSides(path: path)
        } else if Self.isFolder(out) && !Self.exists(incoming + "/fdt") {
            folder = out
        } else if Self.isFolder(incoming) {
            folder = incoming
        } else {
            throw .noCapture(path: path)
        }
        self.path = folder
        let names = Self.bootMemoryNames.filter { Self.exists(folder + "/" + KernelRelease.bootMemoryFiles(named: $0).phys) }
        let hasFinalize = Self.exists(folder + "/finalize")
        let side: Side = (folder as NSString).lastPathComponent == Side.outgoing.rawValue || !names.isEmpty || hasFinalize
            ? .outgoing : .incoming
        self.side = side

        finalized = hasFinalize ? try Self.finalizeFlag(folder + "/finalize") : nil
        if finalized == false { throw .notFinalized(path: folder + "/finalize") }
        fdt = try Self.read(folder + "/fdt", missing: side == .outgoing
            ? "a 6.16 – 6.18 kernel makes out/fdt only when finalized (write 1 to out/finalize); later kernels make it at a cold boot only"
            : "in/fdt is the handover the kernel booted from; a cold-booted kernel has none")
        subtreeFiles = try Self.subtreeFiles(folder + "/sub_fdts")
        guard side == .outgoing else {
            bootMemory = nil
            return
        }
        guard names.count < 2 else {
            throw .layoutMismatch(path: folder, reason: "holds both scratch_phys and bootmem_phys; a kernel makes one of them")
        }
        guard let name = names.first else {
            throw .missingFile(path: folder + "/" + KernelRelease.latest.bootMemoryFiles.phys,
                               reason: "out/ lists the boot memory in scratch_phys and scratch_len (bootmem_phys and bootmem_len from 7.4)")
        }
        bootMemory = try Self.bootMemory(named: name, in: folder)
    }

    // MARK: files

    /// The names kernels give the boot memory, oldest first.
    private static var bootMemoryNames: [String] {
        var names: [String] = []
        for release in KernelRelease.allCases where !names.contains(release.bootMemoryName) { names.append(release.bootMemoryName) }
        return names
    }

    private static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    private static func isFolder(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
    }

    /// The bytes of the regular file at `path`; `missing` says why it should be there.
    private static func read(_ path: String, missing: String) throws(DebugfsError) -> [UInt8] {
        guard exists(path) else { throw .missingFile(path: path, reason: missing) }
        do {
            let file = try MappedFile(path: path)
            return try file.bytes(at: 0, count: file.size)
        } catch {
            throw .unreadable(error)
        }
    }

    /// Every file of `sub_fdts/` (none when the folder is absent).
    private static func subtreeFiles(_ folder: String) throws(DebugfsError) -> [String: [UInt8]] {
        guard exists(folder) else { return [:] }
        guard isFolder(folder) else { throw .notAFolder(path: folder, reason: "not a folder") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw .notAFolder(path: folder, reason: "cannot be listed")
        }
        var files: [String: [UInt8]] = [:]
        for name in names.sorted() { files[name] = try read(folder + "/" + name, missing: "listed a moment ago") }
        return files
    }

    /// `finalize`: "0" or "1" and a newline.
    private static func finalizeFlag(_ path: String) throws(DebugfsError) -> Bool {
        let text = String(decoding: try read(path, missing: "listed a moment ago"), as: UTF8.self)
        switch text.trimmingCharacters(in: .newlines) {
        case "0": return false
        case "1": return true
        default: throw .badFinalize(path: path, text: text)
        }
    }

    /// The ranges of `<name>_phys` and `<name>_len`: one `0x…` line per range.
    private static func bootMemory(named name: String, in folder: String) throws(DebugfsError) -> BootMemory {
        let files = KernelRelease.bootMemoryFiles(named: name)
        let physPath = folder + "/" + files.phys, lengthPath = folder + "/" + files.length
        let reason = "it lists the lengths of the ranges \(files.phys) lists"
        let addresses = try hexLines(physPath, missing: reason)
        let lengths = try hexLines(lengthPath, missing: reason)
        guard addresses.count == lengths.count else {
            throw .rangeCountMismatch(physPath: physPath, physCount: addresses.count, lengthPath: lengthPath, lengthCount: lengths.count)
        }
        var ranges: [MemoryRange] = []
        for (line, (phys, size)) in zip(addresses, lengths).enumerated() {
            guard !phys.addingReportingOverflow(size).overflow else { throw .rangeOverflow(path: lengthPath, line: line + 1, phys: phys, size: size) }
            ranges.append(MemoryRange(address: phys, size: size))
        }
        return BootMemory(name: name, ranges: ranges)
    }

    /// The numbers of a file of `0x%llx\n` lines.
    private static func hexLines(_ path: String, missing: String) throws(DebugfsError) -> [UInt64] {
        let text = String(decoding: try read(path, missing: missing), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        var values: [UInt64] = []
        for (index, line) in lines.enumerated() {
            let digits = line.dropFirst(2)
            guard line.hasPrefix("0x"), !digits.isEmpty, digits.allSatisfy(\.isHexDigit), let value = UInt64(digits, radix: 16) else {
                throw .notHex(path: path, line: index + 1, text: String(line))
            }
            values.append(value)
        }
        return values
    }
}
