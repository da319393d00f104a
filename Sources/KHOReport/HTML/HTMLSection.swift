/// One section of the HTML report: a heading and its body.
///
/// A section is one value; ``HTMLReport`` renders its sections in order
/// and links them from its table of contents.
public protocol HTMLSection {
    /// The heading.
    var title: String { get }
    /// The anchor (`id`), letters, digits and `-`.
    var anchor: String { get }
    /// The body's HTML; every text taken from the ledger must be escaped.
    func body() -> String
}
