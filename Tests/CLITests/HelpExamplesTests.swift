import Foundation
import KHOTestSupport
import Testing

/// Every subcommand's `--help` examples run as written, and read as
/// written: each fits the 80-column help (a long one continues on an
/// indented line after a trailing `\`, as a shell reads it), so none is
/// wrapped mid-command.
@Suite("Help examples", .serialized)
struct HelpExamplesTests {
    /// The programs an example may start with.
    static let programs: Set<Substring> = ["kholedger", "readelf", "dtc", "sqlite3"]

    /// The subcommands `kholedger --help` lists.
    static func subcommands() throws -> [String] {
        let help = try ToolRunner.run(["--help"]).stdout
        let section = try #require(help.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first)
        return section.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }

    /// The help of `command` and its example lines (the indented lines
    /// after `Examples:` or `Example:`, up to a blank line).
    static func help(_ command: String) throws -> (text: String, examples: [String]) {
        let help = try ToolRunner.run([command, "--help"])
        guard help.status == 0 else { throw FixtureError("\(command) --help: \(help.stderr)") }
        var examples: [String] = []
        var inBlock = false
        for line in help.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "Examples:" || line == "Example:" {
                inBlock = true
            } else if inBlock, line.hasPrefix("  ") {
                examples.append(String(line.dropFirst(2)))
            } else {
                inBlock = false
            }
        }
        return (help.stdout, examples)
    }

    /// Example lines joined into commands: a line ending in `\` goes on.
    static func commands(_ lines: [String]) -> [String] {
        var commands: [String] = []
        var continuing = false
        for line in lines {
            if continuing { commands[commands.count - 1] += "\n" + line } else { commands.append(line) }
            continuing = line.hasSuffix("\\")
        }
        return commands
    }

    @Test func everyExampleFitsTheHelpAndStartsWithAProgram() throws {
        let subcommands = try Self.subcommands()
        #expect(subcommands.count >= 18 && subcommands.contains("import") && subcommands.contains("history"), "\(subcommands)")
        for command in subcommands {
            let (text, examples) = try Self.help(command)
            // ArgumentParser does not wrap its USAGE line; everything else is wrapped at 80 columns.
            for line in text.split(separator: "\n") where !line.hasPrefix("USAGE: ") {
                #expect(line.count <= 80, "\(command) --help: a line of \(line.count) columns: \(line)")
            }
            var continuing = false
            for line in examples {
                if continuing {
                    #expect(line.hasPrefix("    "), "\(command): a continued example is indented: \(line)")
                } else {
                    #expect(line.split(separator: " ").first.map { Self.programs.contains($0) } == true,
                            "\(command): an example line that is not a command (wrapped?): \(line)")
                }
                continuing = line.hasSuffix("\\")
            }
            #expect(!continuing, "\(command): the last example ends in a backslash")
            let prose = text.split(separator: "\n").filter { !examples.contains(String($0.dropFirst(2))) }
            #expect(!prose.contains { $0.hasSuffix("\\") }, "\(command): prose with a trailing backslash")
        }
    }

    @Test func everyExampleRunsAsWritten() throws {
        let world = try HelpExampleWorld.shared.get()
        var ran = 0
        for command in try Self.subcommands() {
            for example in Self.commands(try Self.help(command).examples) {
                try world.resetLedger()
                // A bare `kholedger sql` is the console: it reads statements from its input.
                let result = try world.shell(example, stdin: "SELECT count(*) FROM v_ops;\n")
                #expect(result.status == 0 && !result.timedOut, "\(command): `\(example)` exited \(result.status): \(result.stderr)")
                #expect(!result.stderr.contains("error:"), "\(command): `\(example)`: \(result.stderr)")
                ran += 1
            }
        }
        #expect(ran >= 50, "\(ran) examples")
    }
}
