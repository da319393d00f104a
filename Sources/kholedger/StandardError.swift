import Foundation

/// Prints `error: message` as one line to standard error.
func printError(_ message: String) {
    printNote("error: \(message)")
}

/// Prints one line to standard error, after whatever standard output holds,
/// so the two streams interleave in order when both go to one terminal or file.
func printNote(_ message: String) {
    fflush(nil)   // all output streams, standard output included
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
