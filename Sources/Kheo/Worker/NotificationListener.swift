import Logging
import PostgresClient

/// Tells the control loop which queues got work, so idle workers wake in milliseconds
/// instead of a poll interval: a `PostgresListener` on `kheo_jobs`, and on
/// `kheo_control`, where `kheo.cancel_jobs` names running jobs to stop. After the
/// connection broke, notifications sent meanwhile are lost, so the loop is asked to
/// look at every queue.
final class NotificationListener: Sendable {
    static let channel = "kheo_jobs"
    static let controlChannel = "kheo_control"

    private let listener: PostgresListener

    init(database: PostgresConfiguration, mailbox: Mailbox, queues: Set<String>, logger: Logger) {
        listener = PostgresListener(
            database: database, channels: [Self.channel, Self.controlChannel], label: "notification listener", logger: logger
        ) { event in
            switch event {
            case .listening(let reconnected):
                if reconnected { mailbox.post { $0.wakeAll = true } }
            case .notifications(let all):
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
            case .lost:
                break
            }
        }
    }

    /// Returns once listening (or after a few seconds if the database cannot be
    /// reached; the loop polls meanwhile), so a job enqueued after `start` wakes it.
    func start() {
        listener.start(waitingUpTo: .seconds(5))
    }

    /// Stops within a quarter second and returns when the thread is done.
    func stop() {
        listener.stop()
    }

    /// The job id of a `cancel <id>` control message.
    static func cancelledJob(_ payload: String) -> Int64? {
        guard payload.hasPrefix("cancel ") else { return nil }
        return Int64(payload.dropFirst(7))
    }
}
