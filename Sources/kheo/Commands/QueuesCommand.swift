import ArgumentParser
import DanVan
import Foundation
import KheoCLIKit
import Kheo

/// `kheo queues …`: list, pause and resume queues.
struct QueuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues",
        abstract: "List, pause and resume queues.",
        subcommands: [QueuesListCommand.self, QueuesPauseCommand.self, QueuesResumeCommand.self]
    )
}

struct QueuesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Each queue: paused or not, and its unfinished jobs by state."
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.queues")
        let queues = try QueueRecord.list(on: connection)
        if json {
            print(try Output.json(queues))
            return
        }
        guard !queues.isEmpty else {
            print("No queues yet: a queue appears when a worker serves it or a job names it.")
            return
        }
        var lines = [["queue", "status", "available", "running", "scheduled", "retryable", "oldest available"]]
        for queue in queues {
            lines.append([
                queue.name, queue.isPaused ? "paused" : "active", String(queue.available), String(queue.running),
                String(queue.scheduled), String(queue.retryable),
                queue.oldestAvailableAgeSeconds.map { String(format: "%.1f s", $0) } ?? "-",
            ])
        }
        print(Output.table(lines))
    }
}

struct QueuesPauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop every node from claiming the queue's jobs; running jobs finish."
    )

    @Argument(help: "The queue.")
    var queue: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.queues")
        // Whoever holds the database's credentials runs the system.
        try Authority.require(.administerQueues, by: .system, in: connection)
        try JobControl().pause(queue: queue, on: connection)
        print("queue \(queue) paused: no node claims its jobs until kheo queues resume \(queue)")
    }
}

struct QueuesResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Let nodes claim the queue's jobs again."
    )

    @Argument(help: "The queue.")
    var queue: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.queues")
        try Authority.require(.administerQueues, by: .system, in: connection)
        try JobControl().resume(queue: queue, on: connection)
        print("queue \(queue) resumed")
    }
}
