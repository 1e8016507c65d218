import DanVan
public import Foundation
import Hummingbird
public import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
public import Kheo
public import PostgresClient

/// `kheo serve`: the HTTP API on Hummingbird. Requests pass, outermost first, through
/// problem rendering, metrics, the method check, the token check (on the headers
/// alone), the body's limits, then reach the handlers generated from `openapi.yaml`.
public struct APIServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port (see `onRunning`).
        public var port: Int
        /// Larger request bodies are refused with 413.
        public var maxBodyBytes: Int
        /// Room for the largest body the API's document allows: a document's six parts
        /// of 20,000 characters each, every character sent as an escaped surrogate pair
        /// (`\uD83D\uDE00`, 12 bytes), is about 1.4 MB.
        public static let defaultMaxBodyBytes = 2 * 1024 * 1024
        /// Database connections, and the threads that use them.
        public var connections: Int
        /// INSERTs of `POST /v1/jobs` in flight at once; requests arriving meanwhile
        /// share the next one (see `EnqueueCoalescer`).
        public var enqueueStatements: Int
        /// A connection that sends no request for this long is closed.
        public var idleTimeout: Duration
        /// A body that has not fully arrived this long after its request's head is
        /// refused (408).
        public var bodyTimeout: Duration
        /// Console cookies carry `Secure` always (a server reached only over TLS), not
        /// only when a proxy says `X-Forwarded-Proto: https`.
        public var secureCookies: Bool = false
        /// Where the token cache `LISTEN`s when the database URL goes through a
        /// transaction pooler (`pool_mode=transaction`): PostgreSQL itself. Without it
        /// such a server keeps no cache and checks every token in the database.
        public var notificationDatabase: PostgresConfiguration?
        /// How long a checked token is trusted without asking the database again. Any
        /// change to a token (revoked, its role changed) empties the cache at once, by
        /// notification; the lifetime only bounds a notification that never came.
        public var tokenCacheLifetime: Duration = .seconds(10)

        public init(
            host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = defaultMaxBodyBytes, connections: Int = 32, enqueueStatements: Int = 2,
            idleTimeout: Duration = .seconds(30), bodyTimeout: Duration = .seconds(30)
        ) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.connections = connections
            self.enqueueStatements = enqueueStatements
            self.idleTimeout = idleTimeout
            self.bodyTimeout = bodyTimeout
        }
    }

    let configuration: Configuration
    let database: PostgresConfiguration
    let publicKinds: [String: JobExposure]
    let metrics: (@Sendable () -> [UInt8])?
    let logger: Logger

    /// `publicKinds`: the kinds producers may enqueue here (`JobRegistry.publicKinds`);
    /// every other kind is refused. `metrics`: the Prometheus exposition served at
    /// `/metrics` to operators (none: not served).
    public init(
        configuration: Configuration, database: PostgresConfiguration, publicKinds: [String: JobExposure],
        metrics: (@Sendable () -> [UInt8])? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.database = database
        self.publicKinds = publicKinds
        self.metrics = metrics
        self.logger = logger
    }

    /// Serves until the task is cancelled or SIGTERM / SIGINT arrives, then finishes the
    /// requests in flight. `onRunning` receives the port actually bound.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let pool = try PostgresConnectionPool(database, configuration: .init(maximumConnections: configuration.connections), logger: logger)
        let blocking = BlockingDatabase(pool: pool, threads: configuration.connections)
        let router = Router()
        router.middlewares.add(ProblemMiddleware(logger: logger))
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(FileHeadersMiddleware())
        let document = try Self.document()
        let routes = RouteTable()
        router.middlewares.add(MethodNotAllowedMiddleware(routes: routes))
        // A cache that cannot hear of revocations must not answer: without a listener
        // it stays empty and every request asks the database.
        let listenTo = database.poolMode == .session ? database : configuration.notificationDatabase
        let tokens = TokenCache(database: listenTo ?? database, ttl: configuration.tokenCacheLifetime, logger: logger)
        if listenTo != nil {
            tokens.start()
        } else {
            logger.notice("no token cache through a transaction pooler: every request checks its token in the database", metadata: [
                "hint": "give PostgreSQL's own address to listen on (kheo serve --listen-url) to cache tokens",
            ])
        }
        defer { tokens.stop() }
        router.middlewares.add(AuthMiddleware(database: blocking, cache: tokens))
        router.middlewares.add(BodyLimitMiddleware(limit: configuration.maxBodyBytes, readTimeout: configuration.bodyTimeout))
        let throughput = ThroughputCache(pool: pool, logger: logger)
        defer { throughput.stop() }
        ConsoleServer(database: blocking, throughput: throughput, alwaysSecure: configuration.secureCookies, logger: logger).register(on: router)
        router.get("openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        if let metrics {
            // What the server and its queues are doing is the operators' to read.
            router.get("metrics") { _, _ in
                _ = try Principal.require(.readMetrics)
                return MetricsEndpoint.response(metrics)
            }
        }
        let handlers = APIHandlers(
            database: blocking, coalescer: EnqueueCoalescer(database: blocking, statements: configuration.enqueueStatements), publicKinds: publicKinds, migrations: KheoAPISchema.all, logger: logger)
        let dates = FlexibleDateTranscoder()
        try handlers.registerHandlers(
            on: RecordingTransport(inner: router, table: routes), configuration: .init(dateTranscoder: dates),
            middlewares: [OperationProblemMiddleware(logger: logger), FastEnqueueMiddleware(handlers: handlers, dates: dates)]
        )
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kheo"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        do {
            try await app.runService()
        } catch {
            try? await blocking.shutdown()
            throw error
        }
        try await blocking.shutdown()
    }

    /// The job kinds `openapi.yaml` lists: what a request may name (the public kinds).
    public static var documentedKinds: [String] { Components.Schemas.JobKind.allCases.map(\.rawValue).sorted() }

    /// The document's `QueueName` (also the shape of a kind filter): what the generated
    /// code does not check itself.
    static func isQueueName(_ name: String) -> Bool {
        (1...128).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
    }

    /// The OpenAPI document this server was built from.
    public static func document() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
