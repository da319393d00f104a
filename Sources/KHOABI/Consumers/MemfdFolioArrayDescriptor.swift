/// Checks for the embedded `struct kho_vmalloc` of the memfd structures.
enum MemfdFolioArrayDescriptor {
    /// Bytes of a `struct kho_vmalloc`.
    static let size = 16

    static func check(_ bytes: [UInt8], structure: String) throws(ConsumerError) {
        guard bytes.count == size else {
            throw .wrongLength(structure: "\(structure).folios", expected: size, actual: bytes.count)
        }
    }
}
