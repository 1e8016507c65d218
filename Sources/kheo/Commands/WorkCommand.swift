import ArgumentParser
import DanVan
import Dispatch
import Foundation
import KheoCLIKit
import Kheo
import KheoAPI
import Logging
import Metrics
import PostgresClient
import Prometheus

/// `kheo work`: runs a worker node until stopped.
struct WorkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Claim and run jobs until stopped.",
        discussion: """
            SIGTERM or SIGINT stops claiming and lets running jobs finish within the grace
            period; jobs still running then are handed back as available, and the process
            exits 0. A second signal exits at once (leases then expire and other nodes
            rescue the jobs).

            Examples:
              kheo work                                   the default queue, 10 at a time
              kheo work --queue default=20 --queue reports=2
              kheo work --until-empty                     drain, then exit
              kheo work --cron-file cron.json             also insert periodic jobs
              kheo work --queue default=10 --queue danvan=4
                                   also the movement's jobs: deadline reminders (an hourly
                                   scan), nightly statistics at 02:00, inspection scheduling
              kheo work --queue reports=20,limit=2/key,fair
                                   at most 2 reports at a time per key (unit), on all nodes
                                   together, and the units taken in turn
              kheo work --queue webhooks=10,rate=60/1m/key
                                   at most 60 deliveries a minute per receiver

            Limits (limit=N[/queue|kind|key], rate=N/WINDOW[/queue|kind|key], fair) hold
            across every node: they are kept with the queue (kheo queues limit changes
            them, kheo queues list shows them), and a node given them writes them there.

            A cron file is a JSON list of periodic jobs; give every node the same one:
              [{"name": "nightly-statistics", "schedule": "0 2 * * *",
                "time_zone": "Asia/Ho_Chi_Minh", "kind": "statistics.regenerate",
                "args": {}, "queue": "default", "catch_up_missed": true}]
            A schedule has 5 fields (minute hour day month weekday), or 6 with a
            leading second, or is @hourly, @daily, @weekly, @monthly, @yearly.
            """
    )

    @Option(name: .customLong("queue"), help: "A queue and its concurrency, NAME=N (or NAME for 10), then any limits: NAME=N,limit=2/key,rate=60/1m,fair. Repeat for several.")
    var queues: [String] = []

    @Flag(help: "Exit 0 once the queues hold nothing available, running or due.")
    var untilEmpty = false

    @Option(help: "Seconds running jobs get to finish after SIGTERM/SIGINT.")
    var grace: Double = 30

    @Option(help: "Seconds a job's lease lasts without renewal (renewed every third of it); a dead worker's jobs are rescued after it.")
    var lease: Double = 5

    @Option(help: "Seconds between safety-net polls (notifications wake workers sooner).")
    var poll: Double = 1

    @OptionGroup var listen: ListenOptions

    @Option(help: "Seconds before the first retry; each further retry waits twice as long.")
    var retryBase: Double = 2

    @Option(help: "Milliseconds a busy worker lets finished jobs and free slots gather before its next round trip.")
    var batchWindow: Double = 5

    @Option(help: "Connections for handlers' own transactions (default: total concurrency, at most 10).")
    var handlerConnections: Int?

    @Option(help: "A JSON file of periodic jobs to insert on schedule (see below).")
    var cronFile: String?

    @Flag(help: "Never delete finished jobs from this node (by default one node at a time prunes them).")
    var noPrune = false

    @Flag(help: "Also run the engine's test kinds (kheo.sleep, kheo.fail, kheo.record): for tests and trials, never production.")
    var testKinds = false

    @Option(help: "Serve Prometheus metrics at http://HOST:PORT/metrics (0 picks a free port, logged at start).")
    var metricsPort: Int?

    @Option(help: "The address the metrics port listens on.")
    var metricsHost = "0.0.0.0"

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        for (name, value) in [("grace", grace), ("lease", lease), ("poll", poll), ("retry-base", retryBase)] {
            guard value.isFinite, value >= 0 else { throw ValidationError("--\(name) must be a number of seconds, zero or more") }
        }
        guard batchWindow.isFinite, (0...1000).contains(batchWindow) else {
            throw ValidationError("--batch-window must be 0 to 1000 milliseconds")
        }
        guard poll >= 0.01 else { throw ValidationError("--poll must be at least 0.01 seconds") }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0 to 65535") }
        _ = try parsedQueues()
    }

    func run() throws {
        // A bad cron entry is refused before anything else happens.
        let periodicJobs = try cronFile.map(PeriodicFile.load) ?? []
        let logger = global.makeLogger(label: "kheo.worker")
        let metrics = try metricsPort.map { port in
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets = JobMetrics.histogramBuckets
            MetricsSystem.bootstrap(factory)
            let server = try MetricsServer.start(host: metricsHost, port: port, logger: logger) { registry.emitToBuffer() }
            logger.notice("serving metrics", metadata: ["url": "http://\(metricsHost):\(server.port)/metrics"])
            return server
        }
        defer { metrics?.stop() }
        let target = try DatabaseTarget.resolve(logger: logger)
        try target.prepareSchema(logger: logger)
        var registry = JobRegistry()
        BuiltinJobs.register(in: &registry)
        if testKinds { BuiltinJobs.registerTestKinds(in: &registry) }
        DanVanJobs.register(in: &registry, webhookEgress: try WebhookEgress.fromEnvironment())
        let queues = try parsedQueues()
        // A node serving the domain's queue also fires its hourly scan and nightly statistics.
        let domainSchedules = queues.contains { $0.name == DanVanJobs.queue } ? try DanVanJobs.periodicJobs() : []
        var configuration = WorkerConfiguration(
            queues: queues,
            leaseDuration: Self.duration(lease),
            pollInterval: Self.duration(poll),
            retryPolicy: RetryPolicy(base: Self.duration(retryBase)),
            handlerConnections: handlerConnections,
            batchWindow: Self.duration(batchWindow / 1000),
            stopWhenEmpty: untilEmpty,
            periodicJobs: domainSchedules + periodicJobs,
            pruning: noPrune ? nil : PruneConfiguration(),
            queueGaugeInterval: metricsPort == nil ? nil : .seconds(5)
        )
        configuration.notificationDatabase = try listen.notificationDatabase()
        let node = try WorkerNode(database: target.configuration, registry: registry, configuration: configuration, logger: logger)
        let signals = SignalHandling(grace: Self.duration(grace), logger: logger) { grace in node.stop(grace: grace) }
        signals.install()
        ParentWatch.start {
            logger.notice("the process that started this worker is gone: stopping")
            node.stop(grace: Self.duration(grace))
        }
        try node.start()
        node.wait()
    }

    private func parsedQueues() throws -> [WorkerConfiguration.Queue] {
        DanVanJobs.withDomainQueues(try QueueSpec.parse(queues))
    }

    static func duration(_ seconds: Double) -> Duration { .microseconds(Int64(seconds * 1_000_000)) }
}
