// swift-tools-version:6.1
import PackageDescription

/// kholedger: emulate Linux Kexec HandOver (KHO) byte-exactly, keep a SQLite
/// ledger of every preservation, and replay it.
///
/// Modules follow the pipeline: `KHOABI` (byte layouts) ← `KHOMachine`
/// (the emulator) → `KHOLedger` (SQLite) → `KHOReplay` (as-of state,
/// restores, diffs) and `KHOReport` (read-only SQL, canned reports, the
/// HTML report) → the `kholedger` command-line tool; `KHOImage` reads and
/// writes real memory images; `KHOArtifacts` turns captured handovers and
/// event streams into ledger generations and generations back into captures;
/// `KHOFleet` copies ledgers into a PostgreSQL fleet store and reads it.
let package = Package(
    name: "kholedger",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "KHOABI", targets: ["KHOABI"]),
        .library(name: "KHOMachine", targets: ["KHOMachine"]),
        .library(name: "KHOLedger", targets: ["KHOLedger"]),
        .library(name: "KHOReplay", targets: ["KHOReplay"]),
        .library(name: "KHOImage", targets: ["KHOImage"]),
        .library(name: "KHOReport", targets: ["KHOReport"]),
        .library(name: "KHOArtifacts", targets: ["KHOArtifacts"]),
        .library(name: "KHOFleet", targets: ["KHOFleet"]),
        .executable(name: "kholedger", targets: ["kholedger"]),
        .executable(name: "kholedger-bench", targets: ["kholedger-bench"]),
        .executable(name: "kholedger-capture", targets: ["kholedger-capture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibFDT",
            providers: [.apt(["libfdt-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "KHOABI",
            dependencies: ["CLibFDT"]
        ),
        .target(
            name: "KHOMachine",
            dependencies: [
                "KHOABI",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "KHOLedger",
            dependencies: [
                "KHOABI",
                "KHOMachine",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The top-level Migrations/ folder is a link to this one.
            resources: [.copy("Migrations")]
        ),
        .target(
            name: "KHOImage",
            dependencies: ["KHOABI"]
        ),
        .target(
            name: "KHOReplay",
            dependencies: [
                "KHOABI",
                "KHOMachine",
                "KHOLedger",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "KHOReport",
            dependencies: [
                "KHOABI",
                "KHOLedger",
                "KHOMachine",
                "KHOReplay",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            // The top-level Reports/ folder is a link to this one.
            resources: [.copy("Reports")]
        ),
        .target(
            name: "KHOArtifacts",
            dependencies: [
                "KHOABI",
                "KHOImage",
                "KHOMachine",
                "KHOLedger",
                "KHOReplay",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "KHOFleet",
            dependencies: [
                "CLibPQ",
                "KHOABI",
                "KHOLedger",
                "KHOReplay",
                "KHOReport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // The top-level FleetMigrations/ folder is a link to Migrations/.
            resources: [.copy("Migrations"), .copy("Reports")]
        ),
        .executableTarget(
            name: "kholedger",
            dependencies: [
                "KHOFleet",
                "KHOABI",
                "KHOArtifacts",
                "KHOImage",
                "KHOMachine",
                "KHOLedger",
                "KHOReplay",
                "KHOReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "kholedger-bench",
            dependencies: [
                "KHOABI",
                "KHOMachine",
                "KHOLedger",
                "KHOReplay",
                "KHOArtifacts",
                "KHOImage",
                "KHOFleet",
                "KHOSyntheticCapture",
                "KHOTestSupport",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Benchmarks/kholedger-bench"
        ),
        .target(
            name: "KHOSyntheticCapture",
            dependencies: ["KHOABI", "KHOArtifacts", "KHOImage", "KHOMachine"],
            path: "Benchmarks/SyntheticCapture"
        ),
        .executableTarget(
            name: "kholedger-capture",
            dependencies: ["KHOSyntheticCapture"],
            path: "Benchmarks/kholedger-capture"
        ),
        .target(
            name: "KHOTestSupport",
            dependencies: ["KHOABI", "KHOImage", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/KHOTestSupport"
        ),
        .testTarget(
            name: "KHOABITests",
            dependencies: ["KHOABI", "KHOImage", "KHOTestSupport"]
        ),
        .testTarget(
            name: "KHOMachineTests",
            dependencies: ["KHOMachine", "KHOImage", "KHOTestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "KHOLedgerTests",
            dependencies: ["KHOLedger", "KHOMachine", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "KHOReplayTests",
            dependencies: ["KHOReplay", "KHOImage", "KHOTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["kholedger", "KHOTestSupport", "KHOABI", "KHOImage", "KHOMachine"]
        ),
        .testTarget(
            name: "KHOReportTests",
            dependencies: ["KHOReport", "KHOTestSupport"]
        ),
        .testTarget(
            name: "KHOFleetTests",
            dependencies: ["KHOFleet", "KHOLedger", "KHOMachine", "KHOTestSupport", "kholedger"]
        ),
        .testTarget(
            name: "KHOImageTests",
            dependencies: ["KHOImage", "KHOTestSupport"]
        ),
        .testTarget(
            name: "KHOArtifactsTests",
            dependencies: ["KHOArtifacts", "KHOTestSupport", "KHOImage", "KHOLedger", "KHOMachine", "KHOReplay", "kholedger",
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
