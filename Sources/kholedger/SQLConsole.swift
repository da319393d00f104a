import Foundation
import KHOReport

/// The interactive side of `kholedger sql`: reads statements line by line
/// from a terminal and prints each result; errors are printed and the
/// console goes on.
struct SQLConsole {
    let connection: ReadOnlyConnection
    let parameters: [SQLParameter]
    var format: TabularFormat

    static let help = """
        Statements end with ;. The ledger is read-only.
        .tables             list the tables and views
        .schema [NAME]      show the CREATE statement of NAME (default: all)
        .format FORMAT      print results as table, csv or json
        .help               this text
        .quit               leave (also .exit or end of input)
        """

    /// Runs until `.quit` or the end of input.
    mutating func run() {
        print("kholedger sql: \(connection.ledger.path), read-only. .help for help, .quit to leave.")
        var pending = ""
        while true {
            print(pending.isEmpty ? "sql> " : "...> ", terminator: "")
            fflush(nil)
            guard let line = readLine() else { break }
            if pending.isEmpty, line.hasPrefix(".") {
                if !command(line.split(separator: " ").map(String.init)) { break }
                continue
            }
            pending += line + "\n"
            guard ReadOnlyConnection.isComplete(pending) else { continue }
            execute(pending, parameters: parameters)
            pending = ""
        }
    }

    /// Runs a dot command; false to leave.
    private mutating func command(_ words: [String]) -> Bool {
        switch words[0] {
        case ".quit", ".exit": return false
        case ".help": print(Self.help)
        case ".tables":
            execute("SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name")
        case ".schema" where words.count <= 2:
            let name = words.count == 2 ? [SQLParameter(name: "name", value: .text(words[1]))] : []
            do {
                let result = try connection.run("SELECT sql || ';' FROM sqlite_schema WHERE sql IS NOT NULL AND (:name IS NULL OR name = :name) ORDER BY rowid",
                                                parameters: name, requireUse: false)
                print(result.flatMap(\.rows).map { $0[0].text }.joined(separator: "\n"))
            } catch {
                printError(error.description)
            }
        case ".format" where words.count == 2:
            guard let chosen = TabularFormat(argument: words[1]) else {
                printError("unknown format \"\(words[1])\": use table, csv or json")
                break
            }
            format = chosen
        default: printError("unknown command \"\(words.joined(separator: " "))\": .help lists the commands")
        }
        return true
    }

    private func execute(_ sql: String, parameters: [SQLParameter] = []) {
        ReadOnlyConnection.forgetInterrupt()
        do {
            try SQLCommand.print(sql, parameters: parameters, requireUse: false, on: connection, format: format)
        } catch {
            printError(error.description)
        }
    }
}
