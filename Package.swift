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
            dependencies: ["VaultCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "VaultService",
            dependencies: [
                "VaultCore", "VaultCrypto", "VaultStore", "CVaultSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .target(name: "VaultServer", dependencies: ["VaultService", "CVaultSystem"], swiftSettings: strict),
        .target(name: "VaultClient", dependencies: ["VaultCore"], swiftSettings: strict),
        .target(
            name: "VaultCLI",
            dependencies: [
                "VaultService", "VaultServer", "VaultClient", "VaultCrypto", "VaultStore", "CVaultSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "vobiz-vault", dependencies: ["VaultCLI"], swiftSettings: strict),
        .testTarget(name: "VaultCryptoTests", dependencies: ["VaultCrypto"]),
        .testTarget(name: "VaultCoreTests", dependencies: ["VaultCore"]),
        .testTarget(name: "VaultStoreTests", dependencies: ["VaultStore", "VaultCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "VaultServiceTests",
            dependencies: ["VaultService", "VaultCrypto", "VaultStore", "VaultCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "VaultCLITests", dependencies: ["VaultCLI", "VaultService", "VaultCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["VaultCore"]),
    ],
    swiftLanguageModes: [.v6]
)
