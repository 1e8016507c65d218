import ArgumentParser
import DanVan
import KheoAPI
import Foundation
import Kheo
import LocalPostgres
import Logging
import PostgresClient

/// The database a command works on: `DATABASE_URL` when set, else the embedded cluster.
struct DatabaseTarget {
    let configuration: PostgresConfiguration
    /// The embedded cluster, when that is what we use.
    let cluster: LocalCluster?
    /// What starting the embedded cluster did (nil with DATABASE_URL).
    let outcome: LocalCluster.StartOutcome?

    /// Resolves the target, starting the embedded cluster if there is no `DATABASE_URL`.
    static func resolve(logger: Logger) throws -> DatabaseTarget {
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
            let configuration = try PostgresConfiguration(url: url)
            logger.debug("using DATABASE_URL", metadata: ["target": "\(configuration)"])
            return DatabaseTarget(configuration: configuration, cluster: nil, outcome: nil)
        }
        let cluster = try embeddedCluster()
        let outcome = try cluster.start()
        logger.debug("using the embedded cluster", metadata: ["root": "\(cluster.root)", "outcome": "\(outcome)"])
        return DatabaseTarget(configuration: cluster.connectionConfiguration, cluster: cluster, outcome: outcome)
    }

    static func embeddedCluster() throws -> LocalCluster {
        try LocalCluster(LocalCluster.Configuration(root: LocalCluster.defaultRoot()))
    }

    /// A line saying where the data lives, for people.
    var summary: String {
        guard let cluster, let outcome else { return "DATABASE_URL (\(configuration))" }
        let what = switch outcome {
        case .created: "created and started"
        case .started: "started"
        case .alreadyRunning: "already running, reused"
        }
        return "embedded cluster at \(cluster.root) (\(what))"
    }
}

extension DatabaseTarget {
    /// Makes sure the schema is current before a command uses the queue. The embedded
    /// cluster is ours, so it is migrated on the spot; a `DATABASE_URL` database belongs
    /// to an operator, who runs `kheo migrate` deliberately (e.g. before a rollout).
    /// The embedded cluster, being for trials, also gets the test kinds' tables
    /// (`kheo_test`), so `kheo work --test-kinds` works on it.
    func prepareSchema(logger: Logger) throws {
        let connection = try PostgresConnection.connect(to: configuration, logger: logger)
        if cluster != nil {
            _ = try Migrator(migrations: KheoAPISchema.all + Migration.testLine, logger: logger).migrate(on: connection)
            return
        }
        let migrator = Migrator(migrations: KheoAPISchema.all, logger: logger)
        let pending = try migrator.status(on: connection).filter { $0.state == .pending }
        guard pending.isEmpty else {
            throw ValidationError(
                "the database schema is behind this kheo (\(pending.count) migration(s) pending: \(pending.map(\.name).joined(separator: ", "))). Run: kheo migrate"
            )
        }
    }
}
