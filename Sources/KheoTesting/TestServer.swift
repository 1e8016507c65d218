import Foundation
import Kheo
import LocalPostgres
import PostgresClient
import Synchronization

/// The PostgreSQL server one test process shares: `DATABASE_URL` when set, otherwise a
/// throwaway cluster started on first use and deleted when the process exits.
///
/// On it, a template database is migrated once per `TestSchema` on first use; each
/// test then gets its own copy (`CREATE DATABASE … TEMPLATE`), which takes
/// milliseconds and lets tests run in parallel without seeing each other's rows.
final class TestServer: Sendable {
    /// Where to connect as an administrator (a role that may create databases).
    let admin: PostgresConfiguration
    /// The throwaway cluster, when we started one.
    let cluster: LocalCluster?
    /// Lends administrator connections for creating and dropping test databases.
    let adminPool: PostgresConnectionPool
    /// The prefix of the migrated databases test databases are copied from, one per schema.
    let templatePrefix: String
    /// The schemas whose template exists; the lock also makes a second test wait for
    /// the first to finish migrating a template.
    private let templates = Mutex<Set<String>>([])
    private let counter = Atomic<Int>(0)
    /// The run's PgBouncer in transaction mode in front of this server, started on first use.
    private let bouncer = Mutex<LocalPgBouncer?>(nil)

    /// The shared server, started once per process; its failure is every test's failure.
    static let shared: Result<TestServer, TestHarnessError> = {
        do {
            let server = try TestServer.start()
            atexit { TestServer.shutdownShared() }
            return .success(server)
        } catch {
            return .failure(error as? TestHarnessError ?? TestHarnessError(
                """
                Tests need a real PostgreSQL and none could be had: \(error)
                Either set DATABASE_URL to a server where this role may create databases, or
                install the PostgreSQL server so a throwaway cluster can be started:
                  apt-get update && apt-get install -y postgresql postgresql-contrib libpq-dev pkg-config
                """
            ))
        }
    }()

    private init(admin: PostgresConfiguration, cluster: LocalCluster?) throws {
        self.admin = admin
        self.cluster = cluster
        self.adminPool = try PostgresConnectionPool(admin, configuration: .init(maximumConnections: 4, checkoutTimeout: .seconds(60)))
        self.templatePrefix = "kheo_template_\(getpid())"
    }

    private static func start() throws -> TestServer {
        let server: TestServer
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
            server = try TestServer(admin: try PostgresConfiguration(url: url), cluster: nil)
        } else {
            let cluster = try TestCluster.makeThrowaway(label: "shared")
            var admin = cluster.connectionConfiguration
            admin.database = "postgres"
            server = try TestServer(admin: admin, cluster: cluster)
        }
        return server
    }

    /// The template database migrated with `schema`, made on first use.
    private func template(for schema: TestSchema) throws -> String {
        let key = "\(schema.name)_\(schema.fingerprint)"
        let name = "\(templatePrefix)_\(key)"
        try templates.withLock { made in
            guard !made.contains(key) else { return }
            try adminPool.withConnection { admin in
                let quoted = try admin.quoteIdentifier(name)
                try admin.execute(script: "DROP DATABASE IF EXISTS \(quoted)")
                try admin.execute(script: "CREATE DATABASE \(quoted) TEMPLATE template0 ENCODING 'UTF8'")
            }
            var template = admin
            template.database = name
            let connection = try PostgresConnection.connect(to: template)
            try Migrator(migrations: schema.migrations).migrate(on: connection)
            made.insert(key)
        }
        return name
    }

    /// Creates a database for one test: migrated with `schema` (a copy of its template) or empty.
    func createDatabase(schema: TestSchema?) throws -> PostgresConfiguration {
        let source = try schema.map(template(for:)) ?? "template0"
        let name = "kheo_test_\(getpid())_\(counter.add(1, ordering: .relaxed).newValue)"
        try adminPool.withConnection { admin in
            let source = try admin.quoteIdentifier(source)
            try admin.execute(script: "CREATE DATABASE \(try admin.quoteIdentifier(name)) TEMPLATE \(source) ENCODING 'UTF8'")
        }
        var configuration = admin
        configuration.database = name
        return configuration
    }

    /// The run's PgBouncer (transaction mode) in front of this server.
    func pgBouncer() throws -> LocalPgBouncer {
        try bouncer.withLock { running in
            if let running { return running }
            do {
                let started = try LocalPgBouncer.start(inFrontOf: admin, poolSize: 20)
                running = started
                return started
            } catch {
                throw TestHarnessError(
                    """
                    Tests of the engine behind PgBouncer need PgBouncer, and it could not be started: \(error)
                    Install it with: apt-get update && apt-get install -y pgbouncer (scripts/bootstrap does)
                    """
                )
            }
        }
    }

    /// Drops a test database, ending any session still in it.
    func dropDatabase(_ name: String) throws {
        try adminPool.withConnection { admin in
            try admin.execute(script: "DROP DATABASE IF EXISTS \(try admin.quoteIdentifier(name)) WITH (FORCE)")
        }
    }

    private static func shutdownShared() {
        guard case .success(let server) = shared else { return }
        server.bouncer.withLock { $0?.stop() }
        if let cluster = server.cluster {
            try? cluster.destroy()
        } else {
            for schema in server.templates.withLock({ $0 }) { try? server.dropDatabase("\(server.templatePrefix)_\(schema)") }
        }
    }
}
