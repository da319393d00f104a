import Foundation
import KHOLedger

/// The Ed25519 key `read` finds in the PEM file at `path`, given with
/// `option` (`--sign`, `--trust`): a file that cannot be read, or holds no
/// such key, is one error line naming both.
func keyFile<Key>(_ path: String, option: String, _ read: (Data) throws(DigestError) -> Key) throws -> Key {
    let bytes = try inputFileBytes(path, option: option)
    do {
        return try read(Data(bytes))
    } catch {
        throw InputError("\(option) \(path): \(error)")
    }
}
