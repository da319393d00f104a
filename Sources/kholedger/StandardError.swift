import Foundation

/// Prints `error: message` as one line to standard error: a line break in
/// the message becomes a space, any other control character an escape
/// (``Swift/String/escapingControlCharacters``), so a value an error names
/// can never forge a line or reach the terminal raw.
func printError(_ message: String) {
    printNote("error: \(message.replacingOccurrences(of: "\n", with: " ").escapingControlCharacters)")
}

/// Prints one line to standard error, after whatever standard output holds,
/// so the two streams interleave in order when both go to one terminal or file.
func printNote(_ message: String) {
    fflush(nil)   // all output streams, standard output included
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
