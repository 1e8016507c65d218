import Foundation

/// Which expired leases a worker's next rescue round reads: those that expired since
/// its last round looked, less a second, and every one once a minute.
///
/// `jobs_lease` keeps an entry for every lease a job ever held, and a finished job's
/// entry is dead only once no open snapshot can see it. While a transaction stays open
/// for minutes (a nightly report, a forgotten `BEGIN`), the entries of every job
/// claimed since pile up below `now()`, and a rescue reading all expired leases steps
/// over each of them: 0.5 s a round after 800,000 jobs, once a second on every node,
/// on the same connection that claims. A round that starts where the last one looked
/// reads only the leases that expired in between.
///
/// Nothing is lost by it. A round that rescued every expired lease it saw moves the
/// window on; one that skipped some because another session held their rows (its own
/// worker finishing the job, or a host cut off in the middle of committing it, whose
/// transaction rolls back only when PgBouncer's or the server's timeout ends it) or
/// that filled its batch leaves the start where it was, so the next rounds look at
/// those leases again. The overlap covers a statement that began a moment before the
/// last round and committed after it, and the minute's full round anything else.
/// Times are the server's, as `lease_expires_at` is.
struct RescueWindow {
    /// How far before the last round's time the next one starts.
    static let overlap: TimeInterval = 1
    /// How often a round reads every expired lease.
    static let fullRoundInterval = Duration.seconds(60)

    /// The server's time of the last round that left nothing behind.
    private var checkedAt: Date?
    private var lastFullRound: ContinuousClock.Instant?

    /// Where the next round starts; nil for a full round.
    func since(now: ContinuousClock.Instant) -> Date? {
        guard let checkedAt, let lastFullRound, lastFullRound.duration(to: now) < Self.fullRoundInterval else { return nil }
        return checkedAt.addingTimeInterval(-Self.overlap)
    }

    /// A round that started at `since` returned `result`. A full batch, or rows held
    /// by other sessions, may have left expired leases behind, so the next round
    /// starts where this one did.
    mutating func record(_ result: Rescuer.Result, checkedAt: Date, since: Date?, now: ContinuousClock.Instant) {
        if since == nil { lastFullRound = now }
        if !result.batchFull, !result.leftLocked { self.checkedAt = checkedAt }
    }
}
