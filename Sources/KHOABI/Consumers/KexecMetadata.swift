/// The raw blob of subtree `kexec-metadata` (7.1+): which kernel kexec'd
/// this one and how many kexec boots happened since the last cold boot.
///
/// Packed, 73 bytes: version u32 @0 (= 1), previous_release[65] @4
/// (NUL-terminated `uname -r`), kexec_count u32 @69.
public struct KexecMetadata: Hashable, Sendable, Codable, FixedSizeRecord {
    /// The subtree name the kernel registers.
    public static let subtreeName = "kexec-metadata"
    public static let byteCount = 73
    public static let structureName = "kho_kexec_metadata"
    /// `KHO_KEXEC_METADATA_VERSION`, the only version defined.
    public static let version: UInt32 = 1
    /// Capacity of `previous_release`, NUL included.
    public static let releaseCapacity = 65

    /// `uname -r` of the kernel that ran before this one.
    public var previousRelease: String
    /// Kexec boots since the last cold boot (a cold-booted kernel writes 1).
    public var kexecCount: UInt32

    public init(previousRelease: String, kexecCount: UInt32) {
        self.previousRelease = previousRelease
        self.kexecCount = kexecCount
    }

    /// Decodes exactly 73 bytes; a version other than 1 is rejected.
    public init(bytes: [UInt8]) throws(ConsumerError) {
        try Self.checkLength(bytes)
        let version = bytes.loadLittleEndian(UInt32.self, at: 0)
        guard version == Self.version else {
            throw .invalidField(structure: Self.structureName, field: "version", value: UInt64(version))
        }
        previousRelease = try Self.releaseField.decode(bytes[4 ..< 69])
        kexecCount = bytes.loadLittleEndian(UInt32.self, at: 69)
    }

    /// `kho_in_kexec_metadata`: what a kernel reads from the incoming subtree
    /// at `phys` of `size` bytes (`blob-size`). Nil when the blob is shorter
    /// than the struct, unreadable or of another version: the kernel warns
    /// and ignores it.
    public static func read(phys: UInt64, size: UInt64?, through read: MemoryReader) -> KexecMetadata? {
        guard let size, size >= UInt64(byteCount), let bytes = try? read(phys, byteCount) else { return nil }
        return try? KexecMetadata(bytes: bytes)
    }

    public func encode() throws(ConsumerError) -> [UInt8] {
        var bytes: [UInt8] = .littleEndian(Self.version)
        bytes += try Self.releaseField.encode(previousRelease)
        bytes.appendLittleEndian(kexecCount)
        return bytes
    }

    private static let releaseField = FixedCString(
        structure: structureName, field: "previous_release", capacity: releaseCapacity)
}
