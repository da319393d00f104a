/// Lookups that turn an absent or malformed node or property into the typed
/// error a format decoder reports. `path` names the node in errors.
extension FlattenedDeviceTree {
    /// The value of `property`, or `FDTError.missingProperty`.
    func requiredProperty(_ property: String, of node: FDTNode, path: String) throws(FDTError) -> [UInt8] {
        guard let value = try self.property(named: property, of: node) else {
            throw .missingProperty(node: path, property: property)
        }
        return value
    }

    /// The value of `property`, which must be exactly `length` bytes.
    func requiredProperty(_ property: String, of node: FDTNode, path: String, length: Int) throws(FDTError) -> [UInt8] {
        let value = try requiredProperty(property, of: node, path: path)
        guard value.count == length else {
            throw .wrongPropertyLength(node: path, property: property, expected: length, actual: value.count)
        }
        return value
    }

    /// A native-endian (little-endian) integer property of exactly its size,
    /// as KHO and its consumers write them (not big-endian FDT cells).
    func requiredInteger<T: FixedWidthInteger>(_: T.Type, _ property: String, of node: FDTNode, path: String) throws(FDTError) -> T {
        try requiredProperty(property, of: node, path: path, length: MemoryLayout<T>.size)
            .loadLittleEndian(T.self, at: 0)
    }

    /// The entry of `node`'s `compatible` list that is one of `accepted`
    /// (libfdt semantics: any NUL-separated entry may match).
    func requiredCompatible(of node: FDTNode, path: String, among accepted: [String]) throws(FDTError) -> String {
        let entries = try requiredProperty("compatible", of: node, path: path)
            .split(separator: 0, omittingEmptySubsequences: true)
            .map { String(decoding: $0, as: UTF8.self) }
        guard let match = entries.first(where: accepted.contains) else {
            throw .unexpectedCompatible(
                node: path, found: entries.joined(separator: ", "), expected: accepted.joined(separator: "\" or \""))
        }
        return match
    }
}
