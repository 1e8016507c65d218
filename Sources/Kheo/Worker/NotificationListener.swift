import Dispatch
import Foundation
import Logging
import PostgresClient
import Synchronization

/// Holds a connection that `LISTEN`s on `kheo_jobs` and tells the control loop which
/// queues got work, so idle workers wake in milliseconds instead of a poll interval.
/// It also listens on `kheo_control`, where `kheo.cancel_jobs` names running jobs to stop.
///
/// It runs on a Dispatch queue of its own and blocks in poll(2) on the socket. When
/// the connection breaks it reconnects with backoff, then asks the loop to look at
/// every queue, since notifications sent meanwhile are lost.
final class NotificationListener: Sendable {
    static let channel = "kheo_jobs"
    static let controlChannel = "kheo_control"

    private let database: PostgresConfiguration
    private let mailbox: Mailbox
    private let queues: Set<String>
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let thread = DispatchQueue(label: "kheo.worker.listener")

    init(database: PostgresConfiguration, mailbox: Mailbox, queues: Set<String>, logger: Logger) {
        self.database = database
        self.mailbox = mailbox
        self.queues = queues
        self.logger = logger
    }

    func start() {
        thread.async { [self] in
            run()
            finished.signal()
        }
    }

    /// Stops within one wait (a quarter second at most) and returns when the thread is done.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        finished.wait()
    }

    private func run() {
        var backoff = Duration.milliseconds(100)
        var everConnected = false
        while !stopped.load(ordering: .relaxed) {
            do {
                let connection = try PostgresConnection.connect(to: database, logger: logger)
                try connection.listen(Self.channel)
                try connection.listen(Self.controlChannel)
                if everConnected {
                    logger.notice("notification listener reconnected")
                    mailbox.post { $0.wakeAll = true }
                }
                everConnected = true
                backoff = .milliseconds(100)
                while !stopped.load(ordering: .relaxed) {
                    guard let first = try connection.waitForNotification(timeout: .milliseconds(250)) else { continue }
                    let all = [first] + (try connection.pendingNotifications())
                    var woken = Set<String>(), cancelled = Set<Int64>()
                    for notification in all {
                        if notification.channel == Self.channel {
                            if queues.contains(notification.payload) { woken.insert(notification.payload) }
                        } else if let id = Self.cancelledJob(notification.payload) {
                            cancelled.insert(id)
                        }
                    }
                    if !woken.isEmpty || !cancelled.isEmpty {
                        mailbox.post {
                            $0.wokenQueues.formUnion(woken)
                            $0.cancelRequested.formUnion(cancelled)
                        }
                    }
                }
            } catch {
                guard !stopped.load(ordering: .relaxed) else { return }
                logger.warning("notification listener lost its connection; retrying", metadata: [
                    "error": "\(error)", "retry_in": "\(backoff)",
                ])
                sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// The job id of a `cancel <id>` control message.
    static func cancelledJob(_ payload: String) -> Int64? {
        guard payload.hasPrefix("cancel ") else { return nil }
        return Int64(payload.dropFirst(7))
    }

    private func sleep(for duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !stopped.load(ordering: .relaxed), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
