import DanVan
import KheoAPI
import Kheo
import Logging
import PostgresClient

/// A migrated database created beside the configured one for one measurement, so that
/// "empty" means empty and what the bench deletes is its own.
struct ScratchDatabase {
    let name: String
    let url: String
    let configuration: PostgresConfiguration
    let connection: PostgresConnection
    let pgbench: Pgbench
    private let admin: PostgresConnection

    init(name: String, bench: Bench) throws {
        self.name = name
        admin = bench.connection
        let quoted = try admin.quoteIdentifier(name)
        try admin.execute(script: "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
        try admin.execute(script: "CREATE DATABASE \(quoted)")
        var configuration = bench.configuration
        configuration.database = name
        self.configuration = configuration
        connection = try PostgresConnection.connect(to: configuration, logger: bench.logger)
        // Each round makes a database: its migrations are not news.
        var quiet = bench.logger
        quiet.logLevel = max(quiet.logLevel, .warning)
        _ = try Migrator(migrations: KheoAPISchema.all + Migration.testLine, logger: quiet).migrate(on: connection)
        url = configuration.url
        pgbench = Pgbench(executable: bench.pgbench.executable, url: configuration.url)
    }

    func drop() {
        guard let quoted = try? admin.quoteIdentifier(name) else { return }
        try? admin.execute(script: "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
    }
}
