/// The longest name kholedger takes for an area, blob, folio, file or
/// subtree, in bytes of UTF-8: 255, Linux's `NAME_MAX`
/// (include/uapi/linux/limits.h). Each subtree name is a file name in
/// KHO's debugfs — `kho/out/sub_fdts/<name>` and `kho/in/sub_fdts/<name>`,
/// made by `kho_debugfs_blob_add` and `kho_in_debugfs_init`
/// (kernel/liveupdate/kexec_handover_debugfs.c, 7.1) — so no capture copied
/// onto a file system holds a longer one; memfd names are shorter still
/// (`MFD_NAME_MAX_LEN`, mm/memfd.c). Scenarios, JSON Lines events and the
/// subtrees of a walked or imported capture are held to it alike; the
/// kernel itself checks no length, so the machine's own API does not.
public enum KHONameLimit {
    /// Bytes.
    public static let bytes = 255

    /// Why a name of `count` UTF-8 bytes is refused, or nil when it fits.
    public static func excess(_ count: Int) -> String? {
        count > bytes ? "a name of \(count) bytes is longer than \(bytes) bytes, the limit (NAME_MAX: a subtree name is a debugfs file name)" : nil
    }
}
