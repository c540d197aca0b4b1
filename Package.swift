// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "vobiz-vault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vobiz-vault", targets: ["vobiz-vault"]),
        .library(name: "VaultClient", targets: ["VaultClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(name: "CVaultSystem"),
        .target(name: "VaultCrypto", dependencies: ["CSodium"], swiftSettings: strict),
        .target(name: "VaultCore", swiftSettings: strict),
        .target(
            name: "VaultStore",
            dependencies: [
                "VaultCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "VaultService",
            dependencies: [
                "VaultCore", "VaultCrypto", "VaultStore", "CVaultSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "VaultServer",
            dependencies: [
                "VaultService", "VaultCore", "VaultCrypto", "CVaultSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(name: "VaultClient", dependencies: ["VaultCore", "CVaultSystem"], swiftSettings: strict),
        .target(
            name: "VaultCLI",
            dependencies: [
                "VaultService", "VaultServer", "VaultClient", "VaultCrypto", "VaultStore", "CVaultSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "vobiz-vault", dependencies: ["VaultCLI", "CVaultSystem"], swiftSettings: strict),
        .executableTarget(
            name: "vault-bench",
            dependencies: [
                "VaultCore", "VaultCrypto",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "VaultCryptoTests", dependencies: ["VaultCrypto"]),
        .testTarget(name: "VaultCoreTests", dependencies: ["VaultCore"]),
        .testTarget(name: "VaultStoreTests", dependencies: ["VaultStore", "VaultCore", "VaultTestSupport",
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "VaultServiceTests",
            dependencies: ["VaultService", "VaultCrypto", "VaultStore", "VaultCore", "VaultTestSupport",
                           .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "VaultServerTests", dependencies: [
            "VaultServer", "VaultService", "VaultCore", "VaultCrypto", "VaultTestSupport",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "VaultCLITests", dependencies: ["VaultCLI", "VaultService", "VaultCore", "VaultTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["VaultCore", "VaultCrypto", "VaultService", "VaultTestSupport"]),
        // What the test targets share: the bookkeeping of the leak sweep after the suite.
        .target(name: "VaultTestSupport", dependencies: ["VaultStore"], path: "Tests/VaultTestSupport"),
    ],
    swiftLanguageModes: [.v6]
)
