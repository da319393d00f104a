import ArgumentParser
import Foundation
import KHOFleet

/// `--to URL`, the fleet store, shared by `push` and the `fleet` commands.
struct FleetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The fleet store: postgresql://USER@HOST:PORT/DATABASE.",
                                            discussion: "Default: $KHOLEDGER_FLEET.", valueName: "url"))
    var to: String?

    /// Connects to the store.
    func store() throws -> FleetStore {
        guard let url = to ?? ProcessInfo.processInfo.environment[FleetURL.environmentVariable], !url.isEmpty else {
            throw InputError("no fleet store: give --to postgresql://USER@HOST:PORT/DATABASE or set $\(FleetURL.environmentVariable)")
        }
        return try FleetStore(url: url)
    }
}

extension FleetContent: ExpressibleByArgument {}
