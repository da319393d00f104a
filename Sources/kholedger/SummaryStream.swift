import KHOImage

/// Where a command prints its own text (step lines, summaries, JSON
/// reports): standard output, or standard error when a file it writes is
/// `-`, standard output then carrying that file's bytes.
struct SummaryStream {
    private let toStandardError: Bool

    /// The stream for a command writing `outputs` (absent ones are `nil`);
    /// at most one of them may be `-`.
    init(besides outputs: [String?]) throws {
        let standardOutput = outputs.filter { $0 == OutputFile.standardOutputName }.count
        guard standardOutput <= 1 else {
            throw InputError("\(standardOutput) outputs are `-`: only one file can go to standard output")
        }
        toStandardError = standardOutput == 1
    }

    /// Prints `text` and a newline.
    func print(_ text: String) {
        if toStandardError { printNote(text) } else { Swift.print(text) }
    }
}
