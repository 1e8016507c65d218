public import Kheo

/// The schema a test database is made with. Each layer's tests use the least that
/// holds what they test: the engine's tests run on the engine's lines alone, so
/// nothing of the domain can prop them up; the domain's and the API's name theirs
/// (`TestSchema(name: "domain", migrations: …)`).
public struct TestSchema: Sendable {
    /// Names the template database, with `fingerprint`.
    public let name: String
    public let migrations: [Migration]

    /// Tells apart two schemas that share a name. Every test target runs in one
    /// process, and two may each call their schema "binary" with different lines: a
    /// template keyed by the name alone would hand one target the other's database.
    /// Computed once: every test database asks for it.
    let fingerprint: String

    public init(name: String, migrations: [Migration]) {
        self.name = name
        self.migrations = migrations
        var hasher = Hasher()
        for migration in migrations {
            hasher.combine(migration.line)
            hasher.combine(migration.name)
            hasher.combine(migration.sql)
        }
        fingerprint = String(UInt64(bitPattern: Int64(hasher.finalize())), radix: 36)
    }

    /// The engine (`kheo`) and the tables its test kinds write (`kheo_test`).
    public static let engine = TestSchema(name: "engine", migrations: Migration.engine + Migration.testLine)
}
