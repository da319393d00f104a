/// A command-line value or input file the command cannot use; the message
/// names the option and the offending value.
struct InputError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
