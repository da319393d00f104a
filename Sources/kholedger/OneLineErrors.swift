import ArgumentParser

/// Runs `body`; any error is printed as one `error: …` line on standard
/// error and the command exits with status 1.
func exitOnError<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError(String(describing: error))
        throw ExitCode.failure
    }
}
