public import PostgresClient

/// A database of one test's own, on the shared test server, dropped when the test ends.
///
/// ```swift
/// @Test func enqueueStoresTheJob() throws {
///     try TestDatabase.with { database in
///         try database.pool.query("SELECT 1")
///     }
/// }
/// ```
public struct TestDatabase: Sendable {
    /// The database's name (unique in this run).
    public let name: String
    /// How to connect to it.
    public let configuration: PostgresConfiguration
    /// A pool on it, closed when the test ends.
    public let pool: PostgresConnectionPool

    /// The database as a URL, for child processes (`DATABASE_URL`). Holds the password
    /// if the server needs one: never log it.
    public var url: String { configuration.url }

    /// Runs `body` with a fresh database: migrated with every embedded migration
    /// (default), or empty (`migrated: false`), e.g. to test migrations themselves.
    public static func with<Result>(
        migrated: Bool = true,
        pool poolConfiguration: PostgresConnectionPool.Configuration = .init(maximumConnections: 8),
        _ body: (TestDatabase) throws -> Result
    ) throws -> Result {
        let server = try TestServer.shared.get()
        let configuration = try server.createDatabase(migrated: migrated)
        let name = configuration.database ?? ""
        defer { try? server.dropDatabase(name) }
        let pool = try PostgresConnectionPool(configuration, configuration: poolConfiguration)
        defer { pool.close() }
        return try body(TestDatabase(name: name, configuration: configuration, pool: pool))
    }

    /// As `with(migrated:pool:_:)`, for async test bodies (a server under test, say).
    public static func with<Result>(
        migrated: Bool = true,
        pool poolConfiguration: PostgresConnectionPool.Configuration = .init(maximumConnections: 8),
        _ body: (TestDatabase) async throws -> Result
    ) async throws -> Result {
        let server = try TestServer.shared.get()
        let configuration = try server.createDatabase(migrated: migrated)
        let name = configuration.database ?? ""
        defer { try? server.dropDatabase(name) }
        let pool = try PostgresConnectionPool(configuration, configuration: poolConfiguration)
        defer { pool.close() }
        return try await body(TestDatabase(name: name, configuration: configuration, pool: pool))
    }

    /// Opens a connection of the caller's own to this database.
    public func connect() throws(PostgresError) -> PostgresConnection {
        try PostgresConnection.connect(to: configuration)
    }

    /// Connects to the test server as an administrator, e.g. to terminate sessions.
    public static func adminConnection() throws -> PostgresConnection {
        try PostgresConnection.connect(to: try TestServer.shared.get().admin)
    }
}
