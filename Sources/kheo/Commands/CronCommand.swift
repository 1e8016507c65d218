import ArgumentParser
import Foundation
import KheoCLIKit
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
            Without --cron-file, the entries are those the worker nodes registered in the
            database when they started (with when each was last registered: an entry no
            node runs any more keeps its old date). With --cron-file, the file's entries,
            e.g. to check a file before giving it to the nodes.

            Examples:
              kheo cron list
              kheo cron list --cron-file deploy/cron.json
            """
    )

    @Option(help: "A JSON file of periodic jobs (see kheo work --help); without it, the entries the nodes registered.")
    var cronFile: String?

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
        var registeredAt: Date?
    }

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.cron")
        let registered = try PeriodicEntryRecord.list(on: connection)
        let now = Date()
        // With a file, its entries, with what the nodes recorded of each.
        let entries = try cronFile.map { file in
            let stored = Dictionary(registered.map { ($0.name, $0) }) { first, _ in first }
            return try PeriodicFile.load(file).map { PeriodicEntryRecord(declared: $0, stored: stored[$0.name]) }
        } ?? registered
        let rows = entries.map { entry in
            let next = entry.nextFire(after: now)
            return Row(
                name: entry.name, schedule: entry.schedule, timeZone: entry.timeZone, kind: entry.kind ?? "?", queue: entry.queue ?? "?",
                nextFireAt: next, nextFireLocal: next.map { Self.local($0, TimeZone(identifier: entry.timeZone) ?? .gmt) } ?? "never",
                lastFireAt: entry.lastFireAt, registeredAt: entry.registeredAt
            )
        }
        if json {
            print(try Output.json(rows))
            return
        }
        if rows.isEmpty {
            print(cronFile == nil ? "No node has registered a periodic job (kheo work --cron-file FILE does)." : "The file has no entries.")
            return
        }
        var lines = [["name", "schedule", "time zone", "kind", "next fire (local)", "next fire (UTC)", "last fire (UTC)", "registered (UTC)"]]
        for row in rows {
            lines.append([
                row.name, row.schedule, row.timeZone, row.kind, row.nextFireLocal, Output.time(row.nextFireAt),
                row.lastFireAt.map { Output.time($0) } ?? "never", row.registeredAt.map { Output.time($0) } ?? "never",
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
