import Dispatch
public import Logging
import Synchronization

/// A bounded set of connections to one database, lent out one borrower at a time.
///
/// - At most `maximumConnections` are open; a borrower waits up to `checkoutTimeout`
///   for one to come free, then gets `PostgresError.Code.poolTimeout`.
/// - Connections are opened lazily and reused most-recently-used first.
/// - A connection is checked before it is lent: one the server has closed (a
///   terminated backend, a restart) is discarded and replaced, never handed out. One
///   that failed during use, or comes back inside a transaction, is discarded too.
public final class PostgresConnectionPool: Sendable, PostgresExecutor {
    /// Limits of a pool.
    public struct Configuration: Sendable {
        /// Connections open at most. Mind the server's `max_connections` across all processes.
        public var maximumConnections: Int
        /// How long a borrower waits for a free connection.
        public var checkoutTimeout: Duration

        public static let defaultMaximumConnections = 10
        public static let defaultCheckoutTimeout = Duration.seconds(10)

        public init(
            maximumConnections: Int = Configuration.defaultMaximumConnections,
            checkoutTimeout: Duration = Configuration.defaultCheckoutTimeout
        ) {
            self.maximumConnections = maximumConnections
            self.checkoutTimeout = checkoutTimeout
        }

        func validate() throws(PostgresError) {
            guard maximumConnections >= 1 else {
                throw PostgresError(code: .invalidConfiguration, message: "a pool needs at least one connection (maximumConnections ≥ 1)")
            }
            guard checkoutTimeout > .zero else {
                throw PostgresError(code: .invalidConfiguration, message: "the pool's checkoutTimeout must be positive")
            }
        }
    }

    /// A snapshot of the pool's use.
    public struct Statistics: Sendable, Equatable {
        public var open: Int
        public var idle: Int
        /// Connections opened over the pool's life, replacements included.
        public var opened: Int
        /// Connections thrown away because they broke.
        public var discarded: Int
    }

    private struct State {
        var idle: [ConnectionHandle] = []
        var open = 0
        var opened = 0
        var discarded = 0
        var closed = false
    }

    public let connectionConfiguration: PostgresConfiguration
    public let configuration: Configuration
    private let logger: Logger
    /// One permit per connection that may be lent; waiting on it is waiting for a free slot.
    private let permits: DispatchSemaphore
    private let state = Mutex(State())

    public init(
        _ connectionConfiguration: PostgresConfiguration,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "kheo.postgres.pool")
    ) throws(PostgresError) {
        try configuration.validate()
        self.connectionConfiguration = connectionConfiguration
        self.configuration = configuration
        self.logger = logger
        self.permits = DispatchSemaphore(value: configuration.maximumConnections)
    }

    deinit { close() }

    /// Lends a connection to `body` and takes it back when `body` returns or throws.
    ///
    /// The connection must not escape `body`. Blocks the calling thread while waiting.
    public func withConnection<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        let handle = try checkOut()
        defer { checkIn(handle) }
        return try body(PostgresConnection(handle: handle, logger: logger))
    }

    /// Runs `body` in a transaction on a pooled connection.
    public func transaction<Result>(
        isolation: IsolationLevel? = nil,
        _ body: (PostgresConnection) throws -> Result
    ) throws -> Result {
        try withConnection { connection in try connection.transaction(isolation: isolation, body) }
    }

    public func query(_ sql: String, _ parameters: [any PostgresEncodable]) throws(PostgresError) -> PostgresResult {
        try lend { connection throws(PostgresError) in try connection.query(sql, parameters) }
    }

    public func query(_ statement: PreparedStatement, _ parameters: [any PostgresEncodable]) throws(PostgresError) -> PostgresResult {
        try lend { connection throws(PostgresError) in try connection.query(statement, parameters) }
    }

    public var statistics: Statistics {
        state.withLock { Statistics(open: $0.open, idle: $0.idle.count, opened: $0.opened, discarded: $0.discarded) }
    }

    /// Closes idle connections and refuses new checkouts; lent ones close when returned.
    public func close() {
        let idle = state.withLock { state in
            state.closed = true
            state.open -= state.idle.count
            defer { state.idle.removeAll() }
            return state.idle
        }
        _ = idle  // released here, outside the lock: each handle's deinit closes its socket
    }

    private func lend<Result>(_ body: (PostgresConnection) throws(PostgresError) -> Result) throws(PostgresError) -> Result {
        let handle = try checkOut()
        defer { checkIn(handle) }
        return try body(PostgresConnection(handle: handle, logger: logger))
    }

    private func checkOut() throws(PostgresError) -> ConnectionHandle {
        let (seconds, attoseconds) = configuration.checkoutTimeout.components
        let deadline = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        guard permits.wait(timeout: deadline) == .success else {
            let open = statistics.open
            throw PostgresError(
                code: .poolTimeout,
                message: "no database connection came free within \(configuration.checkoutTimeout) (\(open) of \(configuration.maximumConnections) in use)",
                hint: "raise the pool size, or shorten what holds connections (long transactions, slow handlers)"
            )
        }
        while true {
            enum Next { case closed, reuse(ConnectionHandle), open(Int) }
            let next: Next = state.withLock { state in
                if state.closed { return .closed }
                if let handle = state.idle.popLast() { return .reuse(handle) }
                state.open += 1
                state.opened += 1
                return .open(state.opened)
            }
            switch next {
            case .closed:
                permits.signal()
                throw PostgresError(code: .poolClosed, message: "the connection pool is closed")
            case .reuse(let handle):
                if handle.isReusable() { return handle }
                discard(handle, reason: "the server closed it while idle")
            case .open(let id):
                do {
                    let handle = try ConnectionHandle.connect(connectionConfiguration, id: id)
                    logger.debug("opened database connection", metadata: ["connection": "\(id)", "target": "\(connectionConfiguration)"])
                    return handle
                } catch {
                    state.withLock { $0.open -= 1 }
                    permits.signal()
                    throw error
                }
            }
        }
    }

    private func checkIn(_ handle: ConnectionHandle) {
        defer { permits.signal() }
        guard handle.isReusable() else {
            discard(handle, reason: handle.isBroken ? "it failed during use" : "it was returned inside a transaction")
            return
        }
        let keep = state.withLock { state in
            guard !state.closed else {
                state.open -= 1
                return false
            }
            state.idle.append(handle)
            return true
        }
        if !keep { logger.debug("closed database connection", metadata: ["connection": "\(handle.id)"]) }
    }

    private func discard(_ handle: ConnectionHandle, reason: String) {
        state.withLock { state in
            state.open -= 1
            state.discarded += 1
        }
        logger.notice(
            "discarded database connection",
            metadata: ["connection": "\(handle.id)", "reason": "\(reason)", "target": "\(connectionConfiguration)"]
        )
    }
}
