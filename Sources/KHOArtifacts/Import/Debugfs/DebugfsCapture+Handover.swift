import KHOABI
import KHOImage

/// How a debugfs capture is held against the handover it shows.
extension DebugfsCapture {
    /// The root FDT. The kernel sizes `out/fdt` when it makes the file (at
    /// boot from 6.19 on), so subtrees added since make the live FDT longer
    /// than the file: then the whole FDT is read from the page of the image
    /// that starts with the file's bytes, and the note says so.
    func rootFDT(in image: any PhysicalMemoryImage, geometry: PageGeometry) throws(DebugfsError) -> (bytes: [UInt8], note: String?) {
        let path = self.path + "/fdt"
        let header: FDTHeader
        do {
            header = try FDTHeader(bytes: fdt)
        } catch {
            throw .notFDT(path: path, reason: "\(error)")
        }
        guard header.magic == FDTHeader.magicValue else {
            throw .notFDT(path: path, reason: "the magic is \(hex(header.magic)), not \(hex(FDTHeader.magicValue))")
        }
        guard fdt.count < Int(header.totalSize) else { return (fdt, nil) }
        let pageSize = UInt64(geometry.pageSize)
        for run in AddressRuns(image.mappedRanges).runs {
            var page = (run.lowerBound + pageSize - 1) / pageSize * pageSize
            while page < run.upperBound {
                if (try? image.read(phys: page, count: 8))?.elementsEqual(fdt.prefix(8)) == true,
                   (try? image.read(phys: page, count: fdt.count)) == fdt,
                   let whole = try? image.read(phys: page, count: Int(header.totalSize)) {
                    return (whole, "\(path) holds \(fdt.count) of the FDT's \(header.totalSize) bytes (the kernel sized the file "
                                + "when it made it; subtrees added since grew the FDT): the whole FDT was read from \(hex(page)) in the image")
                }
                page += pageSize
            }
        }
        throw .truncatedFDTNotInImage(path: path, fileSize: fdt.count, totalSize: header.totalSize)
    }

    /// The releases that lay the folder out as it is and hand over `abi`:
    /// `kernel` alone when given (an error says what does not fit), else
    /// every such release; empty for an ABI no release produces (kho-v2,
    /// the RFC string), where only the ABI is checked.
    public func releases(handingOver abi: ABIGeneration, kernel: KernelRelease?) throws(DebugfsError) -> [KernelRelease] {
        if let kernel {
            if let reason = mismatch(kernel, abi: abi) {
                throw .layoutMismatch(path: path, reason: "--kernel \(kernel) does not fit: \(reason)")
            }
            return [kernel]
        }
        let producing = KernelRelease.producing(abi)
        let fitting = producing.filter { mismatch($0, abi: abi) == nil }
        guard fitting.isEmpty, !producing.isEmpty else { return fitting }
        var reasons: [String] = []
        for release in producing {
            if let reason = mismatch(release, abi: abi), !reasons.contains(reason) { reasons.append(reason) }
        }
        throw .layoutMismatch(path: path, reason: "no release that hands over \(abi.compatible) (\(span(producing))) lays it out so: "
                                  + reasons.joined(separator: "; "))
    }

    /// Why `release` would not make this folder for a handover of `abi`, or nil.
    private func mismatch(_ release: KernelRelease, abi: ABIGeneration) -> String? {
        guard release.abi == abi else {
            return "the FDT is \(abi.compatible) (ABI \(abi.rawValue)), but \(release) hands over \(release.abi.compatible) (ABI \(release.abi.rawValue))"
        }
        guard side == .outgoing else { return nil }
        let finalizing = KernelRelease.allCases.filter(\.finalizesHandover)
        if release.finalizesHandover != (finalized != nil) {
            return finalized == nil ? "it lacks finalize, made by \(span(finalizing))" : "it has finalize, made only by \(span(finalizing))"
        }
        if let name = bootMemory?.name, name != release.bootMemoryName {
            let naming = KernelRelease.allCases.filter { $0.bootMemoryName == name }
            return "it lists the boot memory in \(KernelRelease.bootMemoryFiles(named: name).phys), made only by \(span(naming))"
        }
        return nil
    }

    /// `6.16 – 7.0`, or one release.
    private func span(_ releases: [KernelRelease]) -> String {
        guard let first = releases.first, let last = releases.last, first != last else { return releases.first?.rawValue ?? "none" }
        return "\(first) – \(last)"
    }

    /// Each file of `sub_fdts/` is the blob its subtree points to: one file
    /// per subtree, named after it, sized as the kernel sizes it
    /// (`blob-size` from kho-v3 on, the FDT's `totalsize` before), and
    /// byte for byte the image's. A kho-v1/v2 subtree whose blob is not an
    /// FDT has no size to hold its file to and is not checked.
    func check(_ blobs: [SubtreeBlob], abi: ABIGeneration) throws(DebugfsError) {
        let folder = path + "/sub_fdts"
        let sizeSource = abi.hasBlobSize ? "blob-size" : "its FDT's totalsize"
        for blob in blobs where blob.subtree.size != nil {
            let filePath = folder + "/" + blob.subtree.name
            guard let file = subtreeFiles[blob.subtree.name] else { throw .missingSubtreeFile(path: filePath, subtree: blob.subtree) }
            guard file.count == blob.bytes.count else {
                throw .subtreeFileSize(path: filePath, fileSize: file.count, subtree: blob.subtree, sizeSource: sizeSource)
            }
            if let offset = file.indices.first(where: { file[$0] != blob.bytes[$0] }) {
                throw .subtreeFileContent(path: filePath, offset: offset, fileByte: file[offset], imageByte: blob.bytes[offset],
                                          phys: blob.subtree.phys)
            }
        }
        let names = Set(blobs.map(\.subtree.name))
        if let extra = subtreeFiles.keys.sorted().first(where: { !names.contains($0) }) {
            throw .extraSubtreeFile(path: folder + "/" + extra)
        }
    }
}
