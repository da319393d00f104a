import ArgumentParser

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
        subcommands: [ABICommand.self, SimulateCommand.self, RecordCommand.self, LogCommand.self, ShowCommand.self, SQLCommand.self, ReportCommand.self, AuditCommand.self, WalkCommand.self, RestoreCommand.self, ImportCommand.self, ExportCommand.self, ReplayCommand.self, StateCommand.self, DiffCommand.self, VersionCommand.self]
    )
}
