/// A node, property or path name ready to pass to libfdt as a C string.
///
/// Names with an embedded NUL are refused: libfdt would silently see a
/// shorter name.
struct LibFDTName {
    private let characters: [CChar]

    init(_ name: String) throws(FDTError) {
        guard !name.utf8.contains(0) else { throw .invalidName(name) }
        characters = name.utf8.map { CChar(bitPattern: $0) } + [0]
    }

    /// Runs `body` with the NUL-terminated name; the pointer must not escape.
    func withPointer<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        characters.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// Converts a buffer size to libfdt's `int`, refusing what does not fit.
func libFDTLength(_ count: Int) throws(FDTError) -> Int32 {
    guard count > 0, let length = Int32(exactly: count) else { throw .invalidCapacity(count) }
    return length
}

/// Throws `FDTError.libfdt` when a libfdt call returned a negative code.
func checkLibFDT(_ code: Int32, _ operation: String) throws(FDTError) {
    if code < 0 { throw .libfdt(operation: operation, code: code) }
}
