/// What a row of the ledger's `object` table is: a preservation or the
/// object a restore rebuilt. Raw values are the ledger's `kind` column.
public enum ObjectKind: String, CaseIterable, Codable, Sendable {
    case vmalloc
    case folio
    /// A file's folios preserved by one call (`preserve_folios`: a memfd's page cache).
    case folios
    case pages
    case blob
    case restoredVmalloc = "restored_vmalloc"
    case restoredFolio = "restored_folio"
    case restoredPages = "restored_pages"

    /// True for vmalloc areas, preserved or restored.
    public var isArea: Bool { self == .vmalloc || self == .restoredVmalloc }
}
