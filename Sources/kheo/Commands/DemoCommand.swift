import ArgumentParser
import DanVan
import KheoAPI
import Foundation
import Kheo
import KheoDemo
import Logging
import LocalPostgres
import PostgresClient

/// `kheo demo`: the first thing a newcomer runs. A generated province lives a year of
/// the "Dân vận khéo" movement in a minute, on the engine's real workers.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a generated province through a year of the movement: models, deadlines, inspections, statistics, reports.",
        discussion: """
            Uses the server of DATABASE_URL when set, otherwise the embedded cluster
            (created on first run, reused after). The demo works in a database of its
            own on that server (--database, recreated on every run: the demo sets the
            domain's clock, which must never happen to real data), so running it again
            starts afresh, and the same --seed gives the same province and figures.

            Examples:
              kheo demo
              kheo demo --seed 7 --districts 3 --speed 20 --output /tmp/reports
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Seed for the generated province and its year.")
    var seed: UInt64 = 2025

    @Option(help: "The year to simulate.")
    var year: Int = 2025

    @Option(help: "Districts in the province (each of 8 to 12 communes).")
    var districts: Int = 5

    @Option(help: "Simulated days per real second at most (default: as fast as the workers finish each day).")
    var speed: Double?

    @Option(help: "Worker processes.")
    var workers: Int = 2

    @Option(help: "Folder for the generated reports.")
    var output: String = "demo-reports"

    @Option(help: "The demo's own database on the server, dropped and created anew on every run.")
    var database: String = "kheo_demo"

    func validate() throws {
        guard (1...30).contains(districts) else { throw ValidationError("--districts must be 1 to 30") }
        guard (1...8).contains(workers) else { throw ValidationError("--workers must be 1 to 8") }
        guard (2000...2100).contains(year) else { throw ValidationError("--year must be 2000 to 2100") }
        if let speed, speed <= 0 { throw ValidationError("--speed must be above 0 days a second") }
        guard !database.isEmpty, database.count <= 63 else { throw ValidationError("--database must be 1 to 63 characters") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let logger = global.makeLogger(label: "kheo.demo")
        let target = try DatabaseTarget.resolve(logger: logger)
        print("Database:   \(target.summary)")

        let admin = try PostgresConnection.connect(to: target.configuration, logger: logger)
        var configuration = target.configuration
        guard configuration.database != database else {
            throw ValidationError("--database \(database) is the database kheo itself uses; the demo needs one of its own")
        }
        configuration.database = database
        try Self.recreate(database, on: admin)
        let connection = try PostgresConnection.connect(to: configuration, logger: logger)
        // The migrations are summed up in one line below, not logged one by one.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        // The demo's clock runs a year in a minute: its line sets danvan.now().
        let migrator = Migrator(migrations: KheoAPISchema.all + DanVanSchema.demoLine, logger: quiet)
        let applied = try migrator.migrate(on: connection)
        let version: String = try connection.query("SELECT current_setting('server_version') AS v").single().decode("v")
        print("Demo data:  database \(database) on PostgreSQL \(version), created anew; \(applied.count) migrations applied")

        let pool = try PostgresConnectionPool(configuration, configuration: .init(maximumConnections: 2))
        let run = DemoRun(
            settings: DemoRun.Settings(seed: seed, year: year, districts: districts, speed: speed, workers: workers),
            connection: connection, pool: pool, url: configuration.url
        )
        let outcome = try run.run()
        print("")
        print("The year \(year) ran in \(String(format: "%.1f s", outcome.elapsed.inSeconds)). Figures from the last nightly statistics:")
        print("")
        let summary = DemoSummary(connection: connection, outcome: outcome)
        try summary.printTables()
        print("")
        for (reason, count) in outcome.refusals.sorted(by: { $0.key < $1.key }) {
            print("Refused:    \(count) registrations \(reason), with the reason, nothing stored")
        }
        for plan in outcome.rejectedPlans {
            print("Rejected:   \"\(plan.title)\": \(plan.reason)")
        }
        try printJobs(connection)
        let folder = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let files = try summary.writeReports(to: folder)
        print("Reports:    \(files.count) files in \(folder.path) (sơ kết 6 tháng and tổng kết năm for the province and the districts or communes under it on the period's last day, HTML and CSV)")
        let documents = try summary.writeDocuments(to: folder.appendingPathComponent("van-ban"))
        let kinds = DocumentKind.allCases.compactMap { kind in documents.kinds[kind].map { "\($0) \(kind.rawValue.replacingOccurrences(of: "_", with: " "))" } }
        print("Documents:  \(documents.files.count) issued, numbered in each unit's register (\(kinds.joined(separator: ", "))), as .docx and .xlsx in \(folder.appendingPathComponent("van-ban").path); drafting and issuing took \(String(format: "%.1f s", outcome.documentsElapsed.inSeconds)) of the year")
        print("")
        let console = try DemoConsole.signIn(on: connection)
        print("Finished in \(String(format: "%.1f s", start.duration(to: clock.now).inSeconds)). Look closer:")
        print("  psql '\(configuration.url)'")
        print("  then e.g.  SELECT title, body FROM danvan.notifications WHERE kind = 'deadline.escalated' LIMIT 5;")
        print("")
        print("The web console on this province:")
        print("  DATABASE_URL='\(configuration.url)' \(CommandLine.arguments.first ?? "kheo") serve --port 8080")
        print("  then open http://127.0.0.1:8080/console/ and sign in with one of these tokens (made for this run):")
        for line in console { print("    \(line)") }
        if target.cluster != nil { print("The embedded cluster keeps running for the next command; stop it with: kheo db stop") }
    }

    /// Jobs the workers ran, by kind, and how many needed more than one attempt.
    private func printJobs(_ connection: PostgresConnection) throws {
        let rows = try connection.query(
            """
            SELECT kind, count(*) AS n, count(*) FILTER (WHERE attempt > 1) AS retried,
                   count(*) FILTER (WHERE state <> 'completed') AS unfinished
            FROM kheo.all_jobs WHERE queue = ANY($1) GROUP BY kind ORDER BY count(*) DESC, kind
            """,
            DanVanJobs.queues(concurrency: 1).map(\.name)
        )
        var parts: [String] = []
        var total: Int64 = 0
        for row in rows {
            let count: Int64 = try row.decode("n")
            let retried: Int64 = try row.decode("retried")
            let unfinished: Int64 = try row.decode("unfinished")
            total += count
            var part = "\(try row.decode("kind", as: String.self)) \(count)"
            if retried > 0 { part += " (\(retried) retried)" }
            if unfinished > 0 { part += " (\(unfinished) not completed)" }
            parts.append(part)
        }
        print("Jobs:       \(total) run: \(parts.joined(separator: ", "))")
    }

    /// Drops the demo's database (closing its sessions) and creates it empty.
    static func recreate(_ name: String, on admin: PostgresConnection) throws {
        let quoted = try admin.quoteIdentifier(name)
        do {
            try admin.execute(script: "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
            try admin.execute(script: "CREATE DATABASE \(quoted) TEMPLATE template0 ENCODING 'UTF8'")
        } catch {
            guard error.sqlState == "42501" else { throw error }
            throw ValidationError(
                "the demo needs to create its own database, \(name), and this role may not (\(error)). Grant it CREATEDB, or run the demo on the embedded cluster (unset DATABASE_URL)"
            )
        }
    }
}
