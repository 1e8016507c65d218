/// The last job a node claimed from a queue, in claim order (priority, scheduled
/// time, id): the next claim reads the claim index from just past it instead of
/// stepping again over the dead entries that claimed jobs leave at its head. Each
/// claim also reads the jobs of higher priority than the cursor's (`JobSQL`), so one
/// that arrives during a drain is picked up by the next round trip; only a job of the
/// cursor's own priority scheduled before it (a retry coming due) waits for the cursor
/// to go back to the head, at most `maximumAge`.
struct ClaimCursor: Comparable, Sendable {
    var priority: Int32
    /// Microseconds since the Unix epoch, exactly as the server has it.
    var scheduledMicroseconds: Int64
    var id: Int64

    /// Before every job: priorities start at 0.
    static let head = ClaimCursor(priority: -1, scheduledMicroseconds: 0, id: 0)

    var isHead: Bool { priority < 0 }

    /// How long a cursor may stand before the next claim reads from the head again.
    static let maximumAge = Duration.seconds(1)

    static func < (lhs: ClaimCursor, rhs: ClaimCursor) -> Bool {
        (lhs.priority, lhs.scheduledMicroseconds, lhs.id) < (rhs.priority, rhs.scheduledMicroseconds, rhs.id)
    }
}
