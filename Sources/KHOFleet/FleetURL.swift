/// The fleet store's address: a PostgreSQL URL,
/// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAMETERS]`, as
/// libpq takes it (`postgres://` too); `--to`, else `$KHOLEDGER_FLEET`.
public enum FleetURL {
    /// The environment variable that names the store when `--to` is not given.
    public static let environmentVariable = "KHOLEDGER_FLEET"

    /// `url` checked: a `postgresql://` or `postgres://` URL.
    public static func checked(_ url: String) throws(FleetError) -> String {
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw .badURL(url, reason: "it must start with postgresql:// (postgresql://USER@HOST:PORT/DATABASE)")
        }
        return url
    }

    /// `url` with its password, if any, replaced by `***`.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
