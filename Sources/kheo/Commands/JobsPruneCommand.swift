import ArgumentParser
import Foundation
import Kheo
import PostgresClient

/// `kheo jobs prune`: delete finished jobs past their retention now.
struct JobsPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete finished jobs past their retention, in small batches.",
        discussion: """
            Workers already do this once a minute (one node at a time); this runs it now.
            Retentions default to 1 day for completed jobs and 7 days for cancelled and
            discarded ones.

            Examples:
              kheo jobs prune --dry-run
              kheo jobs prune --completed 3600     keep completed jobs one hour
            """
    )

    @Flag(help: "Count what would be deleted; delete nothing.")
    var dryRun = false

    @Option(help: "Seconds completed jobs are kept.")
    var completed: Double = 86_400

    @Option(help: "Seconds cancelled jobs are kept.")
    var cancelled: Double = 7 * 86_400

    @Option(help: "Seconds discarded jobs are kept.")
    var discarded: Double = 7 * 86_400

    @Option(help: "Jobs deleted per statement.")
    var batchSize = 1000

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        for (name, value) in [("completed", completed), ("cancelled", cancelled), ("discarded", discarded)] {
            guard value.isFinite, value >= 0 else { throw ValidationError("--\(name) must be a number of seconds, zero or more") }
        }
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 100000") }
    }

    func run() throws {
        let logger = global.makeLogger(label: "kheo.prune")
        let target = try DatabaseTarget.resolve(logger: logger)
        try target.prepareSchema(logger: logger)
        let pruner = Pruner(configuration: PruneConfiguration(
            completed: WorkCommand.duration(completed), cancelled: WorkCommand.duration(cancelled),
            discarded: WorkCommand.duration(discarded), batchSize: batchSize
        ))
        let pool = try PostgresConnectionPool(target.configuration, configuration: .init(maximumConnections: 1), logger: logger)
        defer { pool.close() }
        let report = try dryRun ? pruner.dryRun(on: pool) : pruner.prune(on: pool)
        let verb = dryRun ? "would delete" : "deleted"
        for state in [JobState.completed, .cancelled, .discarded] {
            print("\(state.rawValue): \(verb) \(report.deleted[state] ?? 0)")
        }
        if !dryRun { print("in \(report.batches) batches") }
    }
}
