import ArgumentParser
import DanVan
import Dispatch
import Foundation
import Kheo
import KheoAPI
import Logging
import Metrics
import PostgresClient
import Prometheus
import Synchronization

/// `kheo serve`: the HTTP API (see Sources/KheoAPI/openapi.yaml).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (jobs over JSON, bearer tokens, /healthz, /readyz, /openapi.yaml) and the web console at /console/.",
        discussion: """
            Tokens come from `kheo tokens create`. SIGTERM or SIGINT finishes the requests in
            flight, then exits.

            Example:
              kheo serve --port 8080
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(help: "Largest request body accepted, in bytes; larger ones get 413.")
    var maxBody = APIServer.Configuration.defaultMaxBodyBytes

    @Option(help: "Database connections (and threads using them).")
    var connections = 32

    @Option(help: "INSERTs of POST /v1/jobs in flight at once; requests arriving meanwhile share the next one.")
    var enqueueStatements = 2

    @Option(help: "Also serve Prometheus metrics without a token at http://METRICS-HOST:PORT/metrics (on the API's port they need an operator token).")
    var metricsPort: Int?

    @Option(help: "The address the metrics port listens on.")
    var metricsHost = "127.0.0.1"

    @Option(help: "Seconds a connection may stay open without sending a request.")
    var idleTimeout = 30

    @Option(help: "Seconds a request's body may take to arrive; slower ones get 408.")
    var bodyTimeout = 30

    @Flag(help: "Console cookies always carry Secure: for a server reached only over TLS (behind a proxy that sends X-Forwarded-Proto: https they do anyway).")
    var secureCookies = false

    @Flag(help: "Also run a worker node in this process (see --queue).")
    var workers = false

    @Option(name: .customLong("queue"), help: "With --workers: a queue and its concurrency, NAME=N. Repeat for several (default: default=10).")
    var queues: [String] = []

    @Flag(help: "Also run the engine's test kinds (kheo.sleep, kheo.fail, kheo.record): for tests and trials, never production.")
    var testKinds = false

    @Option(help: "With --workers: seconds running jobs get to finish after SIGTERM/SIGINT.")
    var grace: Double = 30

    @Option(help: "Seconds a checked API token is trusted before the database is asked again (any token change empties the cache at once).")
    var tokenCacheSeconds: Int = 10

    @OptionGroup var listen: ListenOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard maxBody >= 1024 else { throw ValidationError("--max-body must be at least 1024 bytes") }
        guard (1...500).contains(connections) else { throw ValidationError("--connections must be 1 to 500") }
        guard (1...connections).contains(enqueueStatements) else { throw ValidationError("--enqueue-statements must be 1 to --connections") }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0 to 65535") }
        guard (1...3600).contains(idleTimeout), (1...3600).contains(bodyTimeout) else {
            throw ValidationError("--idle-timeout and --body-timeout must be 1 to 3600 seconds")
        }
        if !queues.isEmpty, !workers { throw ValidationError("--queue needs --workers") }
        guard (0...3600).contains(tokenCacheSeconds) else { throw ValidationError("--token-cache-seconds must be 0 to 3600") }
        _ = try QueueSpec.parse(queues)
    }

    func run() throws {
        let logger = global.makeLogger(label: "kheo.serve")
        let target = try DatabaseTarget.resolve(logger: logger)
        try target.prepareSchema(logger: logger)
        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))
        let metricsServer = try metricsPort.map { port in
            let server = try MetricsServer.start(host: metricsHost, port: port, logger: logger) { prometheus.emitToBuffer() }
            logger.notice("serving metrics", metadata: ["url": "http://\(metricsHost):\(server.port)/metrics"])
            return server
        }
        defer { metricsServer?.stop() }
        var registry = JobRegistry()
        BuiltinJobs.register(in: &registry)
        if testKinds { BuiltinJobs.registerTestKinds(in: &registry) }
        DanVanJobs.register(in: &registry, webhookEgress: try WebhookEgress.fromEnvironment())
        var configuration = APIServer.Configuration(
            host: host, port: port, maxBodyBytes: maxBody, connections: connections, enqueueStatements: enqueueStatements,
            idleTimeout: .seconds(idleTimeout), bodyTimeout: .seconds(bodyTimeout)
        )
        configuration.secureCookies = secureCookies
        configuration.tokenCacheLifetime = .seconds(tokenCacheSeconds)
        let notificationDatabase = try listen.notificationDatabase()
        configuration.notificationDatabase = notificationDatabase
        let server = APIServer(
            configuration: configuration,
            database: target.configuration, publicKinds: registry.publicKinds, metrics: { prometheus.emitToBuffer() }, logger: logger
        )
        // The worker node, when asked for, runs beside the server and stops after it:
        // SIGTERM ends the server's requests first, then the jobs get their grace.
        var node: WorkerNode?
        if workers {
            let queues = DanVanJobs.withDomainQueues(try QueueSpec.parse(self.queues))
            let schedules = queues.contains { $0.name == DanVanJobs.queue } ? try DanVanJobs.periodicJobs() : []
            let started = try WorkerNode(
                database: target.configuration, registry: registry,
                configuration: WorkerConfiguration(
                    queues: queues, notificationDatabase: notificationDatabase, periodicJobs: schedules, pruning: PruneConfiguration()
                ), logger: logger
            )
            try started.start()
            node = started
        }
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let host = self.host
        Task {
            do {
                try await server.run { port in logger.notice("serving the API", metadata: ["url": "http://\(host):\(port)"]) }
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let node {
            node.stop(grace: .microseconds(Int64(grace * 1_000_000)))
            node.wait()
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
