/// The Internet checksum as the kernel's generic `csum_partial`
/// (`lib/checksum.c`) computes it, used by the KHO test module over its
/// folio data, one call per folio.
public enum InternetChecksum {
    /// `csum_partial(bytes, len, seed)`: the ones'-complement sum of the
    /// 16-bit little-endian words of `bytes` (a trailing odd byte counts as a
    /// word's low byte) folded to 16 bits, then added to the 32-bit `seed`
    /// with end-around carry (`__wsum`).
    ///
    /// The 32-bit value depends on how the data is split into calls (x86_64's
    /// assembly version keeps 32 bits per call instead of 16); the folded
    /// value (`fold`) does not, as long as every earlier call had an even
    /// length.
    public static func partial(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        var sum: UInt64 = 0
        bytes.withUnsafeBytes { raw in
            // A 64-bit sum of 16-bit words cannot overflow for any real buffer.
            for index in 0 ..< raw.count / 2 {
                sum &+= UInt64(raw[2 * index]) | UInt64(raw[2 * index + 1]) << 8
            }
            if raw.count % 2 == 1 { sum &+= UInt64(raw[raw.count - 1]) }
        }
        let (result, carry) = seed.addingReportingOverflow(UInt32(fold(sum)))
        return carry ? result &+ 1 : result
    }

    /// Folds a partial sum to 16 bits with end-around carry, not inverted
    /// (the kernel's `csum_fold` returns the complement of this).
    public static func fold(_ sum: UInt32) -> UInt16 {
        fold(UInt64(sum))
    }

    private static func fold(_ sum: UInt64) -> UInt16 {
        var value = sum
        while value > 0xffff { value = (value & 0xffff) + (value >> 16) }
        return UInt16(value)
    }
}
