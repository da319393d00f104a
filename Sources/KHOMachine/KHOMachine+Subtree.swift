import KHOABI

extension KHOMachine {
    /// `kho_add_subtree(name, blob, size)`: adds a subnode to the root FDT
    /// page. -EEXIST for a duplicate name, -ENOMEM when the page is full (or
    /// libfdt fails otherwise). kho-v2 has no `blob-size`; `size` is ignored there.
    /// The blob's pages are not preserved by this call.
    public func addSubtree(name: String, phys: UInt64, size: UInt64) throws(MachineError) {
        try perform(.addSubtree, subject: name, arguments: [("phys", hex(phys)), ("size", "\(size)")]) { event throws(MachineError) in
            do throws(FDTError) {
                try rootFDT.addSubtree(KHOSubtree(name: name, phys: phys, size: config.abi.hasBlobSize ? size : nil))
            } catch {
                try syncFDTPage()
                if case .duplicateSubtree = error { throw .kernel(.EEXIST, error.description) }
                throw .kernel(.ENOMEM, error.description)
            }
            try syncFDTPage()
            event.pages = [.init(phys: fdtPhys, bytes: memory.page(fdtPhys))]
            if size <= UInt64(Int.max), (try? memory.check(phys, count: Int(size))) != nil {
                event.blob = try memory.read(phys, count: Int(size))
            }
        }
    }

    /// `kho_remove_subtree(blob)`: deletes the first subnode whose address is
    /// `phys`; no match changes nothing. Returns nothing, as in the kernel.
    public func removeSubtree(phys: UInt64, name: String? = nil) throws(MachineError) {
        try perform(.removeSubtree, subject: name, arguments: [("phys", hex(phys))]) { event throws(MachineError) in
            do throws(FDTError) {
                if let removed = try rootFDT.removeSubtree(phys: phys) {
                    event.subject = removed.name
                } else {
                    event.arguments.append(("warning", "no subtree at \(hex(phys))"))
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
            event.arguments += [("result", hex(subtree.phys)), ("size", subtree.size.map { "\($0)" } ?? "-")]
            return subtree
        }
    }

    /// Writes the root FDT page into memory, byte for byte as libfdt left it.
    func syncFDTPage() throws(MachineError) {
        try memory.write(rootFDT.page, at: fdtPhys)
    }
}
