import ArgumentParser
import DanVan
import KheoAPI
import Foundation
import Kheo
import PostgresClient

/// `kheo migrate`: brings the database schema up to date with this binary.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the schema migrations this binary carries.",
        discussion: """
            Migrations are the sql/ files of the source tree, built into the binary. Each
            runs once, in order, in its own transaction; concurrent runs wait for each
            other. An applied migration whose file has since changed is refused by name.

            Examples:
              kheo migrate              apply what is pending
              kheo migrate --status     list applied and pending migrations
            """
    )

    @Flag(name: .long, help: "List each migration and whether it is applied; change nothing.")
    var status = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = global.makeLogger(label: "kheo.migrate")
        let target = try DatabaseTarget.resolve(logger: logger)
        let connection = try PostgresConnection.connect(to: target.configuration, logger: logger)
        let migrator = Migrator(migrations: KheoAPISchema.all, logger: logger)
        if status {
            print("Database: \(target.summary)")
            for entry in try migrator.status(on: connection) { print(Self.describe(entry)) }
            return
        }
        let applied = try migrator.migrate(on: connection)
        if applied.isEmpty {
            print("Schema is current: \(migrator.migrations.count) migrations applied.")
        } else {
            print("Applied \(applied.count) migration(s): \(applied.map(\.name).joined(separator: ", ")).")
        }
    }

    static func describe(_ entry: MigrationStatus) -> String {
        let state = switch entry.state {
        case .applied(let at): "applied  \(at.formatted(.iso8601))"
        case .changed(let at): "CHANGED  applied \(at.formatted(.iso8601)), file edited since"
        case .pending: "pending"
        case .unknown(let at): "UNKNOWN  applied \(at.formatted(.iso8601)) by a newer kheo"
        }
        return "  \("\(entry.line)/\(entry.name)".padding(toLength: 48, withPad: " ", startingAt: 0)) \(state)"
    }
}
