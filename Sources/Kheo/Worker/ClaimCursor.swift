/// The last job a node claimed from a queue, in claim order (priority, scheduled
/// time, id): the next claim reads the claim index from just past it instead of
/// stepping again over the dead entries that claimed jobs leave at its head. Each
/// claim also reads the jobs of higher priority than the cursor's (`JobSQL`), so one
/// that arrives during a drain is picked up by the next round trip; only a job of the
/// cursor's own priority scheduled before it (a retry coming due) waits for the cursor
/// to go back to the head (`headInterval`).
struct ClaimCursor: Comparable, Sendable {
    var priority: Int32
    /// Microseconds since the Unix epoch, exactly as the server has it.
    var scheduledMicroseconds: Int64
    var id: Int64

    /// Before every job: priorities start at 0.
    static let head = ClaimCursor(priority: -1, scheduledMicroseconds: 0, id: 0)

    var isHead: Bool { priority < 0 }

    /// How long a cursor stands before a claim reads from the head again, when reads
    /// from the head are cheap.
    static let maximumAge = Duration.seconds(1)
    /// How long a cursor stands at most, however slow reads from the head are.
    static let maximumHeadInterval = Duration.seconds(10)

    /// How long a cursor stands after a claim from the head whose round trip took
    /// `cost`: a second, or twenty times that cost, up to `maximumHeadInterval`.
    ///
    /// A read from the head steps over the index entries of every job claimed since the
    /// oldest snapshot still open: nothing can mark them dead while some transaction may
    /// still see those versions. With a REPEATABLE READ transaction held open beside a
    /// drain, a claim from the head read 20,277 buffers and took 87.6 ms after a million
    /// jobs (14 buffers without the reader), and the drain fell to 0.80 of its rate
    /// alone when its two workers read from the head every second. Stretching the
    /// interval keeps those reads under about 5% of a node's time; what it costs is
    /// the wait of a job that sorts before the cursor (see `WorkerStateMachine.claimReturned`).
    static func headInterval(afterHeadReadOf cost: Duration) -> Duration {
        min(maximumHeadInterval, max(maximumAge, cost * 20))
    }

    /// A round trip with a claim from the head above this says the head is slow to read.
    /// Such a round trip takes 1–5 ms on a healthy table, outcomes included.
    static let slowHeadRead = Duration.milliseconds(10)

    /// Whether reads from the head are slow enough that a claim which comes back short
    /// keeps its cursor instead of reading from the head at once: otherwise, with a
    /// trickle of jobs, every pickup would be a read from the head.
    static func headReadsAreSlow(_ cost: Duration) -> Bool {
        cost > slowHeadRead
    }

    static func < (lhs: ClaimCursor, rhs: ClaimCursor) -> Bool {
        (lhs.priority, lhs.scheduledMicroseconds, lhs.id) < (rhs.priority, rhs.scheduledMicroseconds, rhs.id)
    }
}
