import ArgumentParser

/// `kholedger version`: prints the tool version and the ABI generations it knows.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the kholedger version."
    )

    func run() {
        print("kholedger \(ToolVersion.current)")
    }
}
