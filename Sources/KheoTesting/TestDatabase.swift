public import PostgresClient
import LocalPostgres

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

    /// Runs `body` with a fresh database: migrated with `schema` (the engine's own lines
    /// unless told otherwise), or empty (`migrated: false`), e.g. to test migrations themselves.
    public static func with<Result>(
        schema: TestSchema = .engine,
        migrated: Bool = true,
        pool poolConfiguration: PostgresConnectionPool.Configuration = .init(maximumConnections: 8),
        _ body: (TestDatabase) throws -> Result
    ) throws -> Result {
        let (db, cleanUp) = try make(schema: migrated ? schema : nil, pool: poolConfiguration)
        defer { cleanUp() }
        return try body(db)
    }

    /// As `with(schema:migrated:pool:_:)`, for async test bodies (a server under test, say).
    public static func with<Result>(
        schema: TestSchema = .engine,
        migrated: Bool = true,
        pool poolConfiguration: PostgresConnectionPool.Configuration = .init(maximumConnections: 8),
        _ body: (TestDatabase) async throws -> Result
    ) async throws -> Result {
        let (db, cleanUp) = try make(schema: migrated ? schema : nil, pool: poolConfiguration)
        defer { cleanUp() }
        return try await body(db)
    }

    /// A fresh database and its pool, and what closes the pool and drops it.
    private static func make(
        schema: TestSchema?, pool poolConfiguration: PostgresConnectionPool.Configuration
    ) throws -> (TestDatabase, () -> Void) {
        let server = try TestServer.shared.get()
        let configuration = try server.createDatabase(schema: schema)
        let name = configuration.database ?? ""
        // The test's own statements give up after three minutes: one stuck behind a
        // lock (a stopped process's open transaction, say) fails its test with the
        // reason instead of hanging the whole run. What the code under test connects
        // with (`configuration`) is left as it is.
        var guarded = configuration
        guarded.options["options"] = [configuration.options["options"], "-c statement_timeout=180s"].compactMap { $0 }.joined(separator: " ")
        let pool: PostgresConnectionPool
        do {
            pool = try PostgresConnectionPool(guarded, configuration: poolConfiguration)
        } catch {
            try? server.dropDatabase(name)
            throw error
        }
        return (TestDatabase(name: name, configuration: configuration, pool: pool), {
            pool.close()
            try? server.dropDatabase(name)
        })
    }

    /// This database through the test run's PgBouncer in transaction mode
    /// (`pool_mode=transaction`), started on first use: what workers, producers and
    /// the API connect to in a deployment behind a pooler.
    public func throughPgBouncer() throws -> PostgresConfiguration {
        try TestServer.shared.get().pgBouncer().address(of: name)
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
