// swift-tools-version: 6.1
import PackageDescription

/// One set of settings for every target: Swift 6 language mode and the strict
/// upcoming features, so every module is held to the same bar.
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Kheo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kheo", targets: ["kheo"]),
        .library(name: "PostgresClient", targets: ["PostgresClient"]),
        .library(name: "Kheo", targets: ["Kheo"]),
        .library(name: "KheoTesting", targets: ["KheoTesting"]),
        .library(name: "DanVan", targets: ["DanVan"]),
        .library(name: "KheoAPI", targets: ["KheoAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Read by the JSONCoders build tool only (swift-openapi-generator uses it too).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // libpq, as Debian's libpq-dev ships it. Only PostgresClient imports it.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "PostgresClient",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Runs a PostgreSQL cluster of our own (initdb + pg_ctl) for the CLI and tests.
        .target(
            name: "LocalPostgres",
            dependencies: [
                "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Kheo",
            dependencies: [
                "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings,
            plugins: ["EmbedMigrations"]
        ),
        // The files offices exchange: CSV and the Office Open XML formats (.xlsx), read
        // and written with a zip library and XML we generate; no office suite.
        .target(
            name: "OfficeFiles",
            dependencies: [
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strictSettings
        ),
        // The "Dân vận khéo" domain on the engine: units, models, inspections, deadlines.
        .target(
            name: "DanVan",
            dependencies: [
                "Kheo",
                "OfficeFiles",
                "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings,
            plugins: ["EmbedMigrations"]
        ),
        // The HTTP producer API: Hummingbird serving the handlers generated from
        // Sources/KheoAPI/openapi.yaml, the one description of the API.
        .target(
            name: "KheoAPI",
            dependencies: [
                "DanVan",
                "OfficeFiles",
                "Kheo",
                "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("openapi.yaml")],
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator"), "EmbedMigrations", "JSONCoders"]
        ),
        // What the kheo command and the tools it runs share: worker children that stop
        // with their parent, table output.
        .target(
            name: "KheoCLIKit",
            dependencies: ["LocalPostgres"],
            swiftSettings: strictSettings
        ),
        // `kheo demo`: a province's year of the movement, on a cluster of its own.
        .target(
            name: "KheoDemo",
            dependencies: ["DanVan", "Kheo", "KheoAPI", "KheoCLIKit", "PostgresClient"],
            swiftSettings: strictSettings
        ),
        // `kheo bench`: the engine and the API against pgbench's ceilings.
        .target(
            name: "KheoBench",
            dependencies: [
                "DanVan", "Kheo", "KheoAPI", "KheoCLIKit", "LocalPostgres", "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "kheo",
            dependencies: [
                "DanVan",
                "KheoAPI",
                "KheoBench",
                "KheoCLIKit",
                "KheoDemo",
                "Kheo",
                "LocalPostgres",
                "PostgresClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "KheoTesting",
            dependencies: [
                "Kheo",
                "LocalPostgres",
                "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Build-time tool: turns sql/NNNN_name.sql into Swift so the binary carries its schema.
        .executableTarget(
            name: "EmbedSQL",
            swiftSettings: strictSettings
        ),
        // Build-time tool: reads openapi.yaml and writes the API's fast JSON readers and writers.
        .executableTarget(
            name: "GenerateJSONCoders",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .plugin(
            name: "JSONCoders",
            capability: .buildTool(),
            dependencies: ["GenerateJSONCoders"]
        ),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["EmbedSQL"]
        ),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "LocalPostgres", "KheoTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LocalPostgresTests",
            dependencies: ["LocalPostgres", "PostgresClient", "KheoTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DanVanTests",
            dependencies: [
                "DanVan", "Kheo", "KheoAPI", "KheoTesting", "OfficeFiles", "PostgresClient", "kheo",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "KheoAPITests",
            dependencies: [
                "DanVan", "GenerateJSONCoders", "Kheo", "KheoAPI", "KheoTesting", "PostgresClient", "kheo",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "KheoTests",
            dependencies: ["Kheo", "KheoAPI", "PostgresClient", "KheoTesting", "LocalPostgres", "kheo"],
            swiftSettings: strictSettings
        ),
    ]
)
