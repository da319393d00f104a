/// What the memory map colours a preserved frame by: the call that
/// preserved it (frames the next generation never claimed are drawn in
/// ``leakedColour`` instead).
enum FrameKind: String, CaseIterable, Comparable {
    case vmalloc, folio, pages, blob, fdt, other

    /// The kind of a block preserved by an operation of kind `operation`.
    init(preservedBy operation: String) {
        switch operation {
        case "preserve_vmalloc": self = .vmalloc
        case "preserve_folio", "preserve_folios": self = .folio
        case "preserve_pages": self = .pages
        case "alloc_preserve": self = .blob
        case "boot": self = .fdt
        default: self = .other
        }
    }

    /// The legend's words.
    var label: String {
        switch self {
        case .vmalloc: return "vmalloc area (data and chunk pages)"
        case .folio: return "folio"
        case .pages: return "page range"
        case .blob: return "kho_alloc_preserve blob"
        case .fdt: return "root FDT"
        case .other: return "other preserved"
        }
    }

    /// Fill colour.
    var colour: String {
        switch self {
        case .vmalloc: return "#1f77b4"
        case .folio: return "#2ca02c"
        case .pages: return "#9467bd"
        case .blob: return "#ff7f0e"
        case .fdt: return "#8c564b"
        case .other: return "#7f7f7f"
        }
    }

    /// Colour of blocks handed over and never claimed by the next generation.
    static let leakedColour = "#d62728"
    /// Legend words for them.
    static let leakedLabel = "handed over, never claimed by the next generation"

    /// Colour of memory nobody preserved.
    static let freeColour = "#eef1f4"

    /// Legend order: as declared.
    static func < (a: FrameKind, b: FrameKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
