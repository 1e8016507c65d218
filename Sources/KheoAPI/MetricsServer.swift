import Dispatch
import Hummingbird
public import Logging
import NIOCore
import Synchronization

/// Serves `GET /metrics` (Prometheus text format) and `GET /healthz` on a port of its
/// own, for `kheo work --metrics-port` and `kheo serve --metrics-port`: a scraper
/// inside the network reads it without a token. The same Hummingbird stack and the same
/// rendering (`MetricsEndpoint`) as the API's own `/metrics`; a scrape renders the
/// registry, nothing else.
public final class MetricsServer: Sendable {
    private let task: Task<Void, any Error>

    /// The port it listens on (the one the OS chose when asked for port 0).
    public let port: Int

    private init(task: Task<Void, any Error>, port: Int) {
        self.task = task
        self.port = port
    }

    /// Binds `host:port` and serves on a task of its own; returns once bound. Throws
    /// `MetricsServerError` when the address cannot be bound.
    public static func start(host: String, port: Int, logger: Logger, render: @escaping @Sendable () -> [UInt8]) throws -> MetricsServer {
        let router = Router()
        router.get("metrics") { _, _ in MetricsEndpoint.response(render) }
        router.head("metrics") { _, _ in MetricsEndpoint.response(render) }
        router.get("healthz") { _, _ in "ok\n" }
        router.head("healthz") { _, _ in "ok\n" }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let bound = DispatchSemaphore(value: 0)
        let boundPort = Mutex<Int?>(nil)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "kheo-metrics"),
            onServerRunning: { channel in
                boundPort.withLock { $0 = channel.localAddress?.port ?? 0 }
                bound.signal()
            },
            logger: quiet
        )
        let failure = Mutex<(any Error)?>(nil)
        let task = Task {
            do {
                try await app.run()
            } catch {
                failure.withLock { $0 = error }
                bound.signal()
                throw error
            }
        }
        bound.wait()
        if let error = failure.withLock({ $0 }) { throw MetricsServerError(host: host, port: port, underlying: "\(error)") }
        return MetricsServer(task: task, port: boundPort.withLock { $0 } ?? 0)
    }

    /// Stops serving and waits until the port is closed.
    public func stop() {
        task.cancel()
        let done = DispatchSemaphore(value: 0)
        let task = self.task
        Task {
            _ = await task.result
            done.signal()
        }
        _ = done.wait(timeout: .now() + .seconds(10))
    }
}

/// The metrics port could not be bound.
public struct MetricsServerError: Error, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let underlying: String

    public var description: String {
        "cannot serve metrics on \(host):\(port): \(underlying). Choose another --metrics-port, or free this one."
    }
}
