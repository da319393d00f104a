import KHOABI

extension KHOMachine {
    /// `kho_add_subtree(name, blob, size)`: adds a subnode to the root FDT
    /// page. -EEXIST for a duplicate name, -ENOMEM when the page is full (or
    /// libfdt fails otherwise); 6.19, 7.0 and kho-v2 return libfdt's raw code
    /// when the node fits but its property does not, and keep the empty node
    /// (``ABIGeneration/subtreeAddFailure``). Before kho-v3 there is no
    /// `blob-size`; `size` is ignored there.
    ///
    /// 6.16 – 6.18 call it from the finalize notifier: the subtree is
    /// written with the root FDT at the kexec, after the ones added before
    /// it; a subtree that would not fit fails now with libfdt's code (the
    /// kernel's finalize would fail with it) and is not kept.
    /// The blob's pages are not preserved by this call.
    public func addSubtree(name: String, phys: UInt64, size: UInt64) throws(MachineError) {
        try perform(.addSubtree, subject: name, arguments: [("phys", .address(phys)), ("size", .count(size))]) { event throws(MachineError) in
            let subtree = KHOSubtree(name: name, phys: phys, size: config.abi.hasBlobSize ? size : nil)
            do throws(FDTError) {
                if config.writesRootFDTAtFinalize {
                    _ = try KHORootFDTPage(finalizing: config.abi, preservedMemoryMap: 0, subtrees: finalizeSubtrees + [subtree],
                                           pageSize: geometry.pageSize)
                    finalizeSubtrees.append(subtree)
                } else {
                    try rootFDT.addSubtree(subtree)
                }
            } catch {
                try syncFDTPage()
                throw .kernel(Self.kernelErrno(error), error.description)
            }
            try syncFDTPage()
            if !config.writesRootFDTAtFinalize { event.pages = [.init(phys: fdtPhys, bytes: memory.page(fdtPhys))] }
            if size <= UInt64(Int.max), (try? memory.check(phys, count: Int(size))) != nil {
                event.blob = try memory.read(phys, count: Int(size))
            }
        }
    }

    /// `kho_remove_subtree(blob)`: deletes the first subnode whose address is
    /// `phys`; no match changes nothing. Returns nothing, as in the kernel.
    public func removeSubtree(phys: UInt64, name: String? = nil) throws(MachineError) {
        try perform(.removeSubtree, subject: name, arguments: [("phys", .address(phys))]) { event throws(MachineError) in
            do throws(FDTError) {
                if let removed = try rootFDT.removeSubtree(phys: phys) {
                    event.subject = removed.name
                } else {
                    event.arguments.append(("warning", .text("no subtree at \(hex(phys))")))
                }
            } catch {
                throw .abi(error.description)
            }
            try syncFDTPage()
            event.pages = [.init(phys: fdtPhys, bytes: memory.page(fdtPhys))]
        }
    }

    /// `kho_retrieve_subtree(name)` in this generation: the blob's phys and
    /// (kho-v3+) size. -ENOENT when this is not a KHO boot or no subnode has
    /// that name; -EINVAL when the subnode's address or `blob-size` property
    /// is missing or not 8 bytes.
    public func retrieveSubtree(name: String) throws(MachineError) -> (phys: UInt64, size: UInt64?) {
        try perform(.retrieveSubtree, subject: name) { event throws(MachineError) in
            guard let incoming else { throw .kernel(.ENOENT, "not a KHO boot") }
            let subtree = try incoming.retrieve(name)
            event.arguments += [("result", .address(subtree.phys)), ("size", subtree.size.map { .count($0) } ?? .none)]
            return subtree
        }
    }

    /// Writes the root FDT page into memory, byte for byte as libfdt left
    /// it; 6.16 – 6.18 write it only at finalize.
    func syncFDTPage() throws(MachineError) {
        guard !config.writesRootFDTAtFinalize || trackerRoot != 0 else { return }
        try memory.write(rootFDT.page, at: fdtPhys)
    }

    /// The value `kho_add_subtree` returns for a failure: the kernel's errno,
    /// or libfdt's raw code where the kernel passes it on.
    private static func kernelErrno(_ error: FDTError) -> KernelErrno {
        let code: Int32
        switch error {
        case .libfdt(_, let raw): code = raw
        default: code = error.kernelReturnCode ?? -KernelErrno.ENOMEM.rawValue
        }
        return KernelErrno(rawValue: -code) ?? .ENOMEM
    }
}
