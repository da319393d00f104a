/// The tool's version, printed by `kholedger version` and `--version`.
enum ToolVersion {
    static let current = "0.1.0"
}
