/// How long lists are cut in text output: the first ``count`` items, then
/// one line saying how many were left out and that `--all` shows them.
enum ListLimit {
    /// Items shown without `--all`.
    static let count = 20

    /// The items to show, and the line about the rest (nil when nothing was cut).
    static func cut<T>(_ items: [T], all: Bool, noun: String) -> (shown: [T], note: String?) {
        guard !all, items.count > count else { return (items, nil) }
        return (Array(items.prefix(count)), "… \(items.count - count) more \(noun) (--all lists them all)")
    }
}
