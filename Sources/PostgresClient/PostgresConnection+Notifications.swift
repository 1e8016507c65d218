internal import CLibPQ
#if canImport(Glibc)
internal import Glibc
#endif

/// A message sent with `NOTIFY` (or `pg_notify`) on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    /// The server process of the session that sent it.
    public let senderPID: Int32
}

extension PostgresConnection {
    /// Starts listening on `channel`. Notifications are delivered after the sending
    /// transaction commits; read them with `waitForNotification(timeout:)`.
    /// Refused behind a transaction pooler: the pooler would give the session that
    /// listens to other clients at the next COMMIT and deliver nothing here.
    public func listen(_ channel: String) throws(PostgresError) {
        try requireSession(for: "LISTEN")
        try execute(script: "LISTEN \(try quoteIdentifier(channel))")
    }

    /// Stops listening on `channel`.
    public func unlisten(_ channel: String) throws(PostgresError) {
        try execute(script: "UNLISTEN \(try quoteIdentifier(channel))")
    }

    /// Sends a notification; listeners see it when the current transaction commits.
    /// Payloads are limited by PostgreSQL to under 8000 bytes: send names, not data.
    public func notify(_ channel: String, payload: String = "") throws(PostgresError) {
        _ = try query("SELECT pg_notify($1, $2)", [channel, payload])
    }

    /// Waits until a notification arrives or `timeout` passes, whichever is first.
    ///
    /// Sleeps in `poll(2)` on the connection's socket, so an idle listener costs no CPU
    /// and wakes as soon as the server writes. Returns `nil` on timeout.
    public func waitForNotification(timeout: Duration) throws(PostgresError) -> PostgresNotification? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let queued = try nextNotification() { return queued }
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return nil }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
            var descriptor = pollfd(fd: PQsocket(handle.raw), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(clamping: milliseconds))
            if ready < 0, errno != EINTR {
                throw handle.connectionError(statement: "wait for notification")
            }
        }
    }

    /// The notifications that have already arrived, without waiting.
    public func pendingNotifications() throws(PostgresError) -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let next = try nextNotification() { notifications.append(next) }
        return notifications
    }

    /// Reads whatever the server has sent and returns the next queued notification.
    private func nextNotification() throws(PostgresError) -> PostgresNotification? {
        guard PQconsumeInput(handle.raw) == 1 else {
            throw handle.connectionError(statement: "wait for notification")
        }
        guard let raw = PQnotifies(handle.raw) else { return nil }
        defer { PQfreemem(raw) }
        return PostgresNotification(
            channel: String(cString: raw.pointee.relname),
            payload: String(cString: raw.pointee.extra),
            senderPID: raw.pointee.be_pid
        )
    }
}
