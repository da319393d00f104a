import KHOABI

extension KHOMachine {
    /// The kexec chain as this generation's kernel read it at boot: the
    /// incoming `kexec-metadata` (nil after a cold boot, or when the previous
    /// kernel wrote none or one this kernel ignores).
    public var incomingKexecMetadata: KexecMetadata? {
        guard let incoming, let subtree = try? incoming.retrieve(KexecMetadata.subtreeName) else { return nil }
        return KexecMetadata.read(phys: subtree.phys, size: subtree.size, through: memory.reader)
    }

    /// What a 7.1+ kernel does at init for the kexec chain: reads the
    /// incoming `kexec-metadata` (retrieved, read in place and left reserved,
    /// never restored), then writes its own into a page from
    /// `kho_alloc_preserve` — its release and the incoming count + 1 (1 after
    /// a cold boot) — and adds it as the raw 73-byte subtree `kexec-metadata`.
    ///
    /// A missing incoming subtree is fine (the previous kernel predates it);
    /// one that is too short or of another version is ignored, as the kernel
    /// ignores it (after a warning in its log), and the count starts at 1.
    func addKexecMetadata() throws(MachineError) {
        guard let release = config.kernel else { return }
        var count: UInt32 = 1
        if incoming != nil {
            do throws(MachineError) {
                _ = try retrieveSubtree(name: KexecMetadata.subtreeName)
                if let previous = incomingKexecMetadata { count = previous.kexecCount &+ 1 }
            } catch .kernel {
                // The previous kernel exported no metadata (or an unusable node).
            }
        }
        let metadata = KexecMetadata(previousRelease: release.unameRelease, kexecCount: count)
        let bytes: [UInt8]
        do {
            bytes = try metadata.encode()
        } catch {
            throw .abi("kexec-metadata: \(error)")
        }
        let phys = try allocPreserve(size: UInt64(bytes.count), name: KexecMetadata.subtreeName)
        try write(phys: phys, bytes: bytes, name: KexecMetadata.subtreeName)
        try addSubtree(name: KexecMetadata.subtreeName, phys: phys, size: UInt64(bytes.count))
    }
}
