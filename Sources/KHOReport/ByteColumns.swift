/// Which result columns hold byte counts: `bytes` and every `…_bytes`
/// column, as the views and canned reports name them. Reports print them
/// with units (`4180 KiB`); `sql` prints the plain count.
public enum ByteColumns {
    /// Whether column `name` holds byte counts.
    public static func contains(_ name: String) -> Bool {
        name == "bytes" || name.hasSuffix("_bytes")
    }
}
