import Dispatch
import Foundation
public import Logging
import Synchronization

/// A connection of its own that `LISTEN`s on some channels for as long as it runs,
/// and tells its owner what it hears on a thread of its own.
///
/// When the connection breaks it reconnects with backoff (100 ms doubling to 5 s).
/// Notifications sent while it was not listening are lost, so each time it starts
/// listening again it says so (`.listening(reconnected: true)`): an owner that keeps
/// anything the notifications would have changed must look afresh. `start()` returns
/// once the first `LISTEN` is in place (or the wait runs out), so whatever the owner
/// does next is heard.
public final class PostgresListener: Sendable {
    public enum Event: Sendable {
        /// Listening on every channel: the first time, or again after the connection broke.
        case listening(reconnected: Bool)
        /// What arrived together, in order.
        case notifications([PostgresNotification])
        /// The connection broke (or could not be made); the next try is in `retryIn`.
        case lost(any Error, retryIn: Duration)
    }

    private let database: PostgresConfiguration
    private let channels: [String]
    private let label: String
    private let logger: Logger
    private let onEvent: @Sendable (Event) -> Void
    private let stopped = Atomic<Bool>(false)
    private let everListened = Atomic<Bool>(false)
    private let listening = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// `label` names the thread and the listener in logs; `onEvent` runs on the
    /// listener's thread, so it should hand work on rather than do it.
    public init(
        database: PostgresConfiguration, channels: [String], label: String, logger: Logger,
        onEvent: @escaping @Sendable (Event) -> Void
    ) {
        self.database = database
        self.channels = channels
        self.label = label
        self.logger = logger
        self.onEvent = onEvent
    }

    /// Starts listening and returns once the first `LISTEN` is in place, or after
    /// `timeout` if the database cannot be reached (the listener keeps trying).
    /// Returns whether it is listening.
    @discardableResult
    public func start(waitingUpTo timeout: Duration = .seconds(10)) -> Bool {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = label
        thread.start()
        let (seconds, attoseconds) = timeout.components
        return listening.wait(timeout: .now() + Double(seconds) + Double(attoseconds) / 1e18) == .success
    }

    /// Stops within a quarter second and returns when the thread is done.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        finished.wait()
    }

    private func run() {
        var backoff = Duration.milliseconds(100)
        while !stopped.load(ordering: .relaxed) {
            do {
                let connection = try PostgresConnection.connect(to: database, logger: logger)
                for channel in channels { try connection.listen(channel) }
                let reconnected = everListened.exchange(true, ordering: .relaxed)
                if reconnected { logger.notice("\(label) listening again") } else { listening.signal() }
                onEvent(.listening(reconnected: reconnected))
                backoff = .milliseconds(100)
                while !stopped.load(ordering: .relaxed) {
                    guard let first = try connection.waitForNotification(timeout: .milliseconds(250)) else { continue }
                    onEvent(.notifications([first] + (try connection.pendingNotifications())))
                }
            } catch {
                guard !stopped.load(ordering: .relaxed) else { return }
                logger.warning("\(label) lost its connection; retrying", metadata: ["error": "\(error)", "retry_in": "\(backoff)"])
                onEvent(.lost(error, retryIn: backoff))
                let deadline = ContinuousClock.now + backoff
                while !stopped.load(ordering: .relaxed), ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
