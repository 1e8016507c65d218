import ArgumentParser
import Foundation
import KheoBench
import Kheo
import Logging
import PostgresClient

/// `kheo bench`: measures the engine against PostgreSQL's own ceiling, in one run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure enqueue, drain, pickup latency, worker memory and claims beside finished jobs against their ceilings.",
        discussion: """
            Every figure is set beside PostgreSQL's own ceiling for the same SQL, measured
            by pgbench in the same run, because machines differ several-fold in disk speed.
            The bench works in queues named kheo-bench-* and deletes their jobs before and
            after. Run it on an idle database; it takes a few minutes with the defaults.

            Examples:
              kheo bench
              kheo bench --json > bench.json
              kheo bench --quick          small sizes, to check that it runs
              kheo bench --only drain     one part, while working on it
            """
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Small sizes: seconds instead of minutes; the figures are rough.")
    var quick = false

    @Option(name: .customLong("only"), help: "Run only this part (repeatable): single, bulk, drain (with worker memory), latency, history (claims beside a million finished jobs), reader (claims while another transaction stays open), burst (a burst to idle workers, after a prune and after its VACUUM, beside the drain filled first, with backlog), backlog (priority-0 pickup during a burst), console (each console page on a copy of kheo_demo beside a million finished jobs; run kheo demo first).")
    var only: [BenchPart] = []

    @Option(help: "Jobs in the backlog the two worker processes drain (memory is sampled on it).")
    var backlog: Int?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = global.makeLogger(label: "kheo.bench")
        let target = try DatabaseTarget.resolve(logger: logger)
        try target.prepareSchema(logger: logger)
        let sizes = BenchSizes(quick: quick, backlog: backlog)
        let bench = try Bench(configuration: target.configuration, sizes: sizes, parts: only.isEmpty ? Set(BenchPart.allCases) : Set(only), logger: logger, progress: { message in
            if !json { FileHandle.standardError.write(Data("… \(message)\n".utf8)) }
        })
        let report = try bench.run(databaseSummary: target.summary)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}

extension BenchPart: ExpressibleByArgument {}
