import Foundation
import ArgumentParser
import KHOMachine

/// The `kholedger` command: a thin layer that parses, calls a module, prints.
@main
struct KHOLedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kholedger",
        abstract: "Emulate, record and replay Linux Kexec HandOver (KHO) memory preservation.",
        discussion: """
            kholedger encodes the kernel's KHO structures byte for byte: vmalloc \
            descriptors and chunk pages, the radix (and older bitmap) preserved-memory \
            tracker, and the root FDT of every ABI generation (kho-v1 … kho-v4).

            Start with `kholedger abi` to see the layout constants for a page size.
            """,
        version: ToolVersion.current,
        subcommands: [ABICommand.self, SimulateCommand.self, RecordCommand.self, LogCommand.self, ShowCommand.self, SQLCommand.self,
                      ReportCommand.self, AuditCommand.self, DigestCommand.self, WalkCommand.self, RestoreCommand.self, ImportCommand.self,
                      ExportCommand.self, ReplayCommand.self, StateCommand.self, DiffCommand.self, HistoryCommand.self, WhoCommand.self,
                      CompatCommand.self, MigrateCommand.self, PushCommand.self, FleetCommand.self, VersionCommand.self]
    )

    /// Parses and runs like ArgumentParser's own `main()`, except that a
    /// usage error (a missing or malformed option, an unknown flag, a value
    /// a command rejects) is one `error: …` line naming the value and where
    /// to look, with ArgumentParser's exit status (64); help and version
    /// print as usual.
    ///
    /// A write past the file-size limit (`ulimit -f`) fails with EFBIG, which
    /// the command reports in one line after removing its temporary files,
    /// instead of killing the process (SIGXFSZ) with those files left behind.
    static func main() {
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) != .success else { exit(withError: error) }
            let lines = fullMessage(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if let first = lines.first(where: { !$0.isEmpty }) {
                let message = first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first
                let hint = lines.first { $0.hasPrefix("See '") }.map { " (see" + $0.dropFirst(3).trimmingCharacters(in: ["."]) + ")" } ?? ""
                printError(misspeltCommand() ?? message + hint)
            }
            exit(withError: ExitCode(exitCode(for: error).rawValue))
        }
    }

    /// "unknown command 'stat'. Did you mean 'state'? …" when the first
    /// argument is no command but is close to one (whatever the parser
    /// stumbled over next).
    private static func misspeltCommand() -> String? {
        guard let word = CommandLine.arguments.dropFirst().first, !word.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        guard !names.contains(word), let name = NearestName.suggestion(for: word, among: names) else { return nil }
        return "unknown command '\(word)'. Did you mean '\(name)'? (see 'kholedger --help' for every command)"
    }
}
