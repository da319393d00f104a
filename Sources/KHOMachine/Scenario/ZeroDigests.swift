import Crypto

/// SHA-256 digests of runs of zero bytes, by length, each computed once: a
/// guest's RAM is mostly zero-filled files of one size, and hashing 64 GiB
/// of zeros would cost more than everything else its handover does.
struct ZeroDigests {
    private var known: [Int: [UInt8]] = [:]
    private static let zeros = [UInt8](repeating: 0, count: 1 << 20)

    /// The SHA-256 of `count` zero bytes.
    mutating func digest(count: Int) -> [UInt8] {
        if let digest = known[count] { return digest }
        var hash = SHA256()
        var left = count
        while left > 0 {
            let n = min(left, Self.zeros.count)
            Self.zeros.withUnsafeBytes { hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            left -= n
        }
        let digest = Array(hash.finalize())
        known[count] = digest
        return digest
    }
}
