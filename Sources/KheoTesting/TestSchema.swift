public import Kheo

/// The schema a test database is made with. Each layer's tests use the least that
/// holds what they test: the engine's tests run on the engine's lines alone, so
/// nothing of the domain can prop them up; the domain's and the API's name theirs
/// (`TestSchema(name: "domain", migrations: …)`).
public struct TestSchema: Sendable {
    /// Names the template database: one per distinct schema in a test run.
    public let name: String
    public let migrations: [Migration]

    public init(name: String, migrations: [Migration]) {
        self.name = name
        self.migrations = migrations
    }

    /// The engine (`kheo`) and the tables its test kinds write (`kheo_test`).
    public static let engine = TestSchema(name: "engine", migrations: Migration.engine + Migration.testLine)
}
