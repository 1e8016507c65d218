import ArgumentParser
import Foundation
import Kheo
import PostgresClient

/// `kheo jobs …`: look at the jobs in the queue.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect jobs.",
        subcommands: [JobsStatsCommand.self]
    )
}

/// `kheo jobs stats`: counts by queue and state.
struct JobsStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count jobs by queue and state, with the age of the oldest available job.",
        discussion: """
            Examples:
              kheo jobs stats
              kheo jobs stats --json | jq '.[] | select(.queue == "default")'
            """
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = global.makeLogger(label: "kheo.jobs")
        let target = try DatabaseTarget.resolve(logger: logger)
        try target.prepareSchema(logger: logger)
        let connection = try PostgresConnection.connect(to: target.configuration, logger: logger)
        let statistics = try QueueStatistics.read(on: connection)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(statistics), as: UTF8.self))
        } else {
            print(Self.table(statistics))
        }
    }

    static func table(_ statistics: [QueueStatistics]) -> String {
        let states = JobState.allCases
        var lines = [(["queue"] + states.map(\.rawValue) + ["oldest available"])]
        for queue in statistics {
            let age = queue.oldestAvailableAgeSeconds.map { String(format: "%.1f s", $0) } ?? "-"
            lines.append([queue.queue] + states.map { String(queue.count($0)) } + [age])
        }
        if statistics.isEmpty { return "No jobs." }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { index, cell in
                index == 0 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
