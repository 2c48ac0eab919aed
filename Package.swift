// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "tessera",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tessera", targets: ["tessera"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Pure Swift: metadata model, values, JSON, DDL planning, packs. No I/O beyond reading pack files.
        .target(
            name: "TesseraCore",
            dependencies: [
                .product(name: "Yams", package: "Yams")
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL: launcher, migrations, metadata repository, DDL, record queries.
        .target(
            name: "TesseraStore",
            dependencies: [
                "TesseraCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: swiftSettings
        ),
        // Automations: the worker that runs outbox events (triggers, conditions, actions).
        .target(
            name: "TesseraAutomation",
            dependencies: [
                "TesseraCore",
                "TesseraStore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The application layer the HTTP server and the CLI share: record plans run, tenants made,
        // permissions and metadata changes decided; the services an instance runs.
        .target(
            name: "TesseraApp",
            dependencies: [
                "TesseraCore",
                "TesseraStore",
                "TesseraAutomation",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP only: routes, the authenticated context, error rendering.
        .target(
            name: "TesseraServer",
            dependencies: [
                "TesseraCore",
                "TesseraStore",
                "TesseraApp",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tessera",
            dependencies: [
                "TesseraApp",
                "TesseraServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // bench/rules: what rule evaluation costs per record (see bench/README.md).
        .executableTarget(
            name: "tessera-bench-rules",
            dependencies: ["TesseraCore"],
            path: "bench/rules",
            swiftSettings: swiftSettings
        ),
        // bench/roundtrip: what one query costs the server's process through each PostgresNIO path.
        .executableTarget(
            name: "tessera-bench-roundtrip",
            dependencies: [
                "TesseraCore",
                "TesseraStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "bench/roundtrip",
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: the test PostgreSQL (same launcher as `serve`) and fixtures.
        .target(
            name: "TesseraTestSupport",
            dependencies: ["TesseraStore", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            path: "Tests/TesseraTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TesseraCoreTests", dependencies: ["TesseraCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TesseraStoreTests",
            dependencies: ["TesseraStore", "TesseraTestSupport", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TesseraAutomationTests",
            dependencies: ["TesseraAutomation", "TesseraCore", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TesseraServerTests",
            dependencies: [
                "TesseraServer",
                "TesseraApp",
                "TesseraTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // Packs the tests read at run time (a next version of the sales pack), not sources.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)
