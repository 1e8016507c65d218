import ArgumentParser
import DanVan
import Foundation
import Kheo
import LocalPostgres
import PostgresClient

/// `kheo demo`: the first thing a newcomer runs.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the database, migrate, then enqueue a few thousand mixed jobs and drain them with 2 workers.",
        discussion: """
            Uses DATABASE_URL when set, otherwise the embedded cluster (created on first
            run, reused after). Safe to run again and again.

            Example:
              kheo demo
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = global.makeLogger(label: "kheo.demo")
        let target = try DatabaseTarget.resolve(logger: logger)
        print("Database:   \(target.summary)")

        let connection = try PostgresConnection.connect(to: target.configuration, logger: logger)
        let migrator = Migrator(migrations: DanVanSchema.all, logger: logger)
        let applied = try migrator.migrate(on: connection)
        print("Migrations: \(applied.isEmpty ? "schema current" : "applied \(applied.map(\.name).joined(separator: ", "))") (\(migrator.migrations.count) in this binary)")

        let row = try connection.query(
            "SELECT current_setting('server_version') AS version, current_user AS who, current_database() AS db, now() AS now"
        ).single()
        let version: String = try row.decode("version")
        let user: String = try row.decode("who")
        let database: String = try row.decode("db")
        let now: Date = try row.decode("now")
        print("Connected:  PostgreSQL \(version), user \(user), database \(database), server time \(now.formatted(.iso8601))")
        print("")
        try DemoDrain(connection: connection, url: target.configuration.url).run()
        print("")
        if let cluster = target.cluster {
            print("Connect with:  psql '\(cluster.url)'")
            print("          or:  kheo db psql")
            print("The cluster keeps running for the next command; stop it with: kheo db stop")
        } else {
            print("Connect with:  psql \"$DATABASE_URL\"")
        }
    }
}
