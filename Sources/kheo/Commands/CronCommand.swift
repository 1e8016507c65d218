import ArgumentParser
import Foundation
import Kheo
import PostgresClient

/// `kheo cron …`: the periodic jobs.
struct CronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron",
        abstract: "Periodic jobs.",
        subcommands: [CronListCommand.self]
    )
}

/// `kheo cron list`: each entry, its next fire time, and the last one inserted.
struct CronListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show each periodic job, its next fire time and the last fire any node inserted.",
        discussion: """
            Entries come from the same --cron-file that kheo work is given.

            Example:
              kheo cron list --cron-file deploy/cron.json
            """
    )

    @Option(help: "A JSON file of periodic jobs (see kheo work --help).")
    var cronFile: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var global: GlobalOptions

    struct Row: Encodable {
        var name: String
        var schedule: String
        var timeZone: String
        var kind: String
        var queue: String
        var nextFireAt: Date?
        var nextFireLocal: String
        var lastFireAt: Date?
    }

    func run() throws {
        let entries = try PeriodicFile.load(cronFile)
        let (_, connection) = try global.connect(label: "kheo.cron")
        let names = entries.map(\.name)
        var lastFires: [String: Date] = [:]
        for row in try connection.query("SELECT name, last_fire_at FROM kheo.periodic_jobs WHERE name = ANY($1)", names) {
            lastFires[try row.decode("name")] = try row.decode("last_fire_at")
        }
        let now = Date()
        let rows = entries.map { entry in
            let next = entry.nextFire(after: now)
            return Row(
                name: entry.name, schedule: entry.schedule.expression, timeZone: entry.timeZone.identifier,
                kind: entry.job.kind, queue: entry.job.options.queue, nextFireAt: next,
                nextFireLocal: next.map { Self.local($0, entry.timeZone) } ?? "never", lastFireAt: lastFires[entry.name]
            )
        }
        if json {
            print(try Output.json(rows))
            return
        }
        var lines = [["name", "schedule", "time zone", "kind", "next fire (local)", "next fire (UTC)", "last fire (UTC)"]]
        for row in rows {
            lines.append([
                row.name, row.schedule, row.timeZone, row.kind, row.nextFireLocal, Output.time(row.nextFireAt),
                row.lastFireAt.map { Output.time($0) } ?? "never",
            ])
        }
        print(Output.table(lines))
    }

    /// dd/mm/yyyy HH:mm:ss on the entry's wall clock, as the movement writes dates.
    static func local(_ date: Date, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "dd/MM/yyyy HH:mm:ss"
        return formatter.string(from: date)
    }
}
