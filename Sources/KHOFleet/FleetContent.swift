/// What `kholedger push --content` puts in the fleet store besides the
/// operations and their layout rows.
public enum FleetContent: String, CaseIterable, Sendable {
    /// No page contents: `fleet verify` then checks the chain's links of
    /// ops that set page contents, not their hashes.
    case none
    /// Each page content's SHA-256 (the default): the chain verifies whole
    /// and page bytes stay on the host.
    case hashes
    /// Also the page bytes, each distinct page once per host.
    case full
}
