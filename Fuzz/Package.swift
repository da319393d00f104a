// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets for kholedger's readers of untrusted bytes.
///
/// A package of its own so that the root package never links libFuzzer:
/// it builds only with `-sanitize=fuzzer` (`scripts/fuzz.sh` builds and
/// runs it). Each `fuzz-*` executable is one target; adding one is a
/// folder under `Sources/` with a `main.swift` and a line below.
let package = Package(
    name: "kholedger-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "kholedger", path: ".."),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "KHOABI", package: "kholedger"),
                .product(name: "KHOImage", package: "kholedger"),
            ]
        ),
        fuzzTarget("fuzz-fdt", ["KHOABI"]),
        fuzzTarget("fuzz-image", ["KHOABI", "KHOImage"]),
        fuzzTarget("fuzz-vmalloc", ["KHOABI", "KHOReplay"]),
        fuzzTarget("fuzz-tracker", ["KHOABI"]),
        fuzzTarget("fuzz-jsonl", ["KHOArtifacts"]),
        fuzzTarget("fuzz-ledger", ["KHOLedger", "KHOMachine", "KHOReplay", "KHOArtifacts", "KHOReport"],
                   packages: [.product(name: "GRDB", package: "GRDB.swift")]),
    ]
)

/// A fuzz executable using FuzzSupport, the named kholedger libraries and
/// `packages` (products of other packages).
func fuzzTarget(_ name: String, _ libraries: [String], packages: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + libraries.map { .product(name: $0, package: "kholedger") } + packages
    )
}
