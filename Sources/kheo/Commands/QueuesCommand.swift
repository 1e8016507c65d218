import ArgumentParser
import DanVan
import Foundation
import KheoCLIKit
import Kheo

/// `kheo queues …`: list, pause, resume and limit queues.
struct QueuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues",
        abstract: "List, pause, resume and limit queues.",
        subcommands: [QueuesListCommand.self, QueuesPauseCommand.self, QueuesResumeCommand.self, QueuesLimitCommand.self]
    )
}

struct QueuesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Each queue: paused or not, its limits, and its unfinished jobs by state."
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
        var lines = [["queue", "status", "available", "running", "scheduled", "retryable", "oldest available", "limits"]]
        for queue in queues {
            lines.append([
                queue.name, queue.isPaused ? "paused" : "active", String(queue.available), String(queue.running),
                String(queue.scheduled), String(queue.retryable),
                queue.oldestAvailableAgeSeconds.map { String(format: "%.1f s", $0) } ?? "-",
                queue.limits.summary,
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

struct QueuesLimitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Set a queue's limits for every node: running at once, starts per window, fairness by key.",
        discussion: """
            Limits are enforced where jobs are claimed, so they hold exactly however many
            nodes serve the queue; nothing is held while a job runs. A key is the job's
            partition key (the unit it works for, the receiver it delivers to).

            Examples:
              kheo queues limit reports limit=2/key fair      2 running per key, keys in turn
              kheo queues limit webhooks rate=60/1m/key       60 starts a minute per key
              kheo queues limit exports limit=1               one at a time
              kheo queues limit reports none                  no limits
            """
    )

    @Argument(help: "The queue.")
    var queue: String

    @Argument(help: "limit=N[/queue|kind|key], rate=N/WINDOW[/queue|kind|key], fair, or none.")
    var options: [String]

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard !options.isEmpty else { throw ValidationError("give the limits (e.g. limit=2/key), or none to remove them") }
    }

    func run() throws {
        let limits = try QueueSpec.limits(options, in: "kheo queues limit \(queue)")
        let (_, connection) = try global.connect(label: "kheo.queues")
        try Authority.require(.administerQueues, by: .system, in: connection)
        do {
            let changed = try limits.apply(to: queue, on: connection)
            print("queue \(queue): \(limits.summary == "-" ? "no limits" : limits.summary)\(changed ? "" : " (unchanged)")")
        } catch let error as QueueLimitsError {
            throw OperatorError(error.description)
        }
    }
}
