import ArgumentParser
import DanVan
import Foundation
import Kheo

/// `kheo jobs cancel ID...`
struct JobsCancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel jobs: waiting ones at once, running ones by telling their worker.",
        discussion: "Exits 1 if any job was not changed (unknown, or already finished); each such job is named."
    )

    @Argument(help: "Job ids.")
    var ids: [Int64]

    @Option(help: "Why, recorded in the job's errors.")
    var reason = "cancelled by an operator"

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.jobs")
        // Whoever holds the database's credentials runs the system.
        try Authority.require(.controlJob, by: .system, in: connection)
        try JobControlReport.print(try JobControl().cancel(ids, reason: reason, on: connection))
    }
}

/// `kheo jobs retry ID...`
struct JobsRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Run discarded, cancelled, retryable or scheduled jobs again now.",
        discussion: "Exits 1 if any job was not changed (unknown, running, completed…); each such job is named."
    )

    @Argument(help: "Job ids.")
    var ids: [Int64]

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.jobs")
        try Authority.require(.controlJob, by: .system, in: connection)
        try JobControlReport.print(try JobControl().retry(ids, on: connection))
    }
}

/// Prints what a cancel or retry did: changes on standard output, refusals on
/// standard error, and exit status 1 if anything was refused.
enum JobControlReport {
    static func print(_ results: [JobControlResult]) throws {
        var refused = 0
        for result in results {
            if result.outcome.isChange {
                Swift.print(result.message)
            } else {
                refused += 1
                FileHandle.standardError.write(Data("kheo: \(result.message)\n".utf8))
            }
        }
        if refused > 0 { throw ExitCode.failure }
    }
}
