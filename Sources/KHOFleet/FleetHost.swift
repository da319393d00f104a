/// A host's name in the fleet store: 1 to 253 letters, digits, `.`, `-`
/// and `_` (a DNS name fits), as `push --host` gives it.
public enum FleetHost {
    /// `name` checked.
    public static func checked(_ name: String) throws(FleetError) -> String {
        guard !name.isEmpty, name.utf8.count <= 253 else { throw .badHost(name, reason: "it must have 1 to 253 characters") }
        guard name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-_".unicodeScalars.contains($0)) }) else {
            throw .badHost(name, reason: "only letters, digits, '.', '-' and '_' are allowed")
        }
        return name
    }
}
