import ArgumentParser
import Foundation
import KheoCLIKit
import Kheo

/// `kheo jobs show ID`: one job, its args and every recorded error.
struct JobsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one job: its args, attempts and errors."
    )

    @Argument(help: "The job's id.")
    var id: Int64

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.jobs")
        guard let job = try JobRecord.find(id, on: connection) else {
            throw OperatorError("job \(id) does not exist (it may have been pruned)")
        }
        if json {
            print(try Output.json(job))
            return
        }
        var lines = [
            "job \(job.id): \(job.kind) in queue \(job.queue)",
            "state:        \(job.state.rawValue)\(job.cancelRequestedAt != nil && job.state == .running ? " (cancel requested)" : "")",
            "attempt:      \(job.attempt) of \(job.maxAttempts)",
            "priority:     \(job.priority)",
            "inserted at:  \(Output.time(job.insertedAt))",
            "scheduled at: \(Output.time(job.scheduledAt))",
            "attempted at: \(Output.time(job.attemptedAt))",
            "finalized at: \(Output.time(job.finalizedAt))",
            "tags:         \(job.tags.isEmpty ? "-" : job.tags.joined(separator: ", "))",
            "unique:       \(job.isUnique ? "yes" : "no")",
            "args:         \(job.args)",
        ]
        if job.errors.isEmpty {
            lines.append("errors:       none")
        } else {
            lines.append("errors:")
            for error in job.errors {
                lines.append("  attempt \(error.attempt.map(String.init) ?? "?") at \(error.at ?? "?") [\(error.type ?? "error")]: \(error.error ?? "")")
            }
        }
        print(lines.joined(separator: "\n"))
    }
}
